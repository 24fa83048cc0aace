import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';

export const AUDIT_SCHEDULE_DEFAULTS = {
  retryAttempts: 2,
  maxEventAge: Duration.minutes(5),
  deadLetterRetention: Duration.days(14),
} as const;

export interface AuditSchedulesProps {
  /** The function every schedule invokes. */
  readonly function: lambda.IFunction;
  /** One schedule per cluster, at the cluster's `schedule`. */
  readonly clusters: readonly ClusterAuditConfig[];
  /**
   * Retries of a failed invocation before it goes to the dead-letter queue.
   *
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Age after which an invocation is no longer attempted. Kept short: a late
   * epoch only repeats what the next one will see fresh.
   *
   * @default Duration.minutes(5)
   */
  readonly maxEventAge?: Duration;
}

/**
 * EventBridge Scheduler invokes the function once per cluster per interval
 * with `{"cluster": "<name>", "scheduledTime": "<the scheduled time>"}`; the
 * scheduled time keys the run record, so a retried invocation is recognized.
 * Invocations that fail every retry land in an encrypted dead-letter queue.
 */
export class AuditSchedules extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  /** The schedules by cluster name. */
  readonly schedules: ReadonlyMap<string, scheduler.Schedule>;

  constructor(scope: Construct, id: string, props: AuditSchedulesProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? AUDIT_SCHEDULE_DEFAULTS.retryAttempts;
    const maxEventAge = props.maxEventAge ?? AUDIT_SCHEDULE_DEFAULTS.maxEventAge;

    // SQS-managed encryption: the scheduler can deliver to it without a key grant.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: AUDIT_SCHEDULE_DEFAULTS.deadLetterRetention,
      // Declares the queue a dead-letter queue (Control Tower's CT.SQS.PR.1 then asks for no
      // dead-letter queue of its own); allowAll is what SQS applies when no policy is given.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the schedules' dead-letter queue: an operator reads it (its depth alarms), and a dead-letter queue of its own would have no reader.",
    });

    const schedules = new Map<string, scheduler.Schedule>();
    for (const cluster of props.clusters) {
      const target = new InvokeFunction(props.function, {
        input: scheduler.ScheduleTargetInput.fromObject({ cluster: cluster.name, scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts,
        maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      });
      schedules.set(
        cluster.name,
        new scheduler.Schedule(this, `Cluster-${cluster.name}`, {
          description: `nats-audit: audit NATS cluster ${cluster.name}`,
          schedule: scheduler.ScheduleExpression.expression(cluster.schedule),
          target,
          // Epochs are compared in time; a flexible window would blur the interval the checks judge by.
          timeWindow: scheduler.TimeWindow.off(),
        }),
      );
    }
    this.schedules = schedules;
  }
}

/**
 * LambdaInvoke grants the scheduler role the function and every version and
 * alias of it (`<arn>:*`); the schedules invoke the unqualified function, so
 * this target grants exactly that ARN. The watchdog's schedule uses it too.
 */
export class InvokeFunction extends targets.ScheduleTargetBase implements scheduler.IScheduleTarget {
  constructor(
    private readonly fn: lambda.IFunction,
    props: targets.ScheduleTargetBaseProps,
  ) {
    super(props, fn.functionArn);
  }

  protected addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }
}
