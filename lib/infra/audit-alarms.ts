import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../errors.js';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { AUDIT_METRICS, METRIC_NAMESPACE } from '../serverless/metrics.js';
import { CLUSTER_DIMENSION } from './names.js';
import { heartbeatWindowMinutes } from './schedule-interval.js';

export const AUDIT_ALARM_DEFAULTS = {
  /** Window of the error and dead-letter alarms. */
  period: Duration.minutes(5),
} as const;

export interface AuditAlarmsProps {
  /** The audit function whose errors are watched. */
  readonly function: lambda.IFunction;
  /** The schedules' dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** One missing-heartbeat alarm per cluster, its window from the cluster's schedule. */
  readonly clusters: readonly ClusterAuditConfig[];
  /** Where every alarm, and its recovery, is sent. */
  readonly topic: sns.ITopic;
  /**
   * Window of the function-error and dead-letter alarms.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * Alarms about the auditor itself, not about the clusters: the function
 * failing, invocations given up on, and a cluster no longer being audited at
 * all. The last is the one that matters most: an auditor that stopped is
 * silent, and silence reads as health.
 */
export class AuditAlarms extends Construct {
  readonly functionErrors: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  /** Missing-heartbeat alarms by cluster name. */
  readonly heartbeats: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: AuditAlarmsProps) {
    super(scope, id);
    const period = props.period ?? AUDIT_ALARM_DEFAULTS.period;
    const notify = new actions.SnsAction(props.topic);

    this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription: 'nats-audit: the audit function failed (see its log group); the scheduler retries, then dead-letters',
      metric: props.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'nats-audit: scheduled audits failed every retry and wait in the dead-letter queue',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const heartbeats = new Map<string, cloudwatch.Alarm>();
    for (const cluster of props.clusters) {
      let minutes: number;
      try {
        minutes = heartbeatWindowMinutes(cluster.schedule);
      } catch (error) {
        throw new ConfigError(`cluster ${cluster.name}: schedule`, (error as Error).message, { cause: error });
      }
      heartbeats.set(
        cluster.name,
        new cloudwatch.Alarm(this, `Heartbeat-${cluster.name}`, {
          alarmDescription: `nats-audit: no audit of cluster ${cluster.name} reported a heartbeat in ${minutes} minutes (its schedule: ${cluster.schedule})`,
          metric: new cloudwatch.Metric({
            namespace: METRIC_NAMESPACE,
            metricName: 'Heartbeat' satisfies keyof typeof AUDIT_METRICS,
            dimensionsMap: { [CLUSTER_DIMENSION]: cluster.name },
            statistic: cloudwatch.Stats.SAMPLE_COUNT,
            period: Duration.minutes(minutes),
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          // No heartbeat is exactly the failure this alarm is for.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
      );
    }
    this.heartbeats = heartbeats;

    for (const alarm of [this.functionErrors, this.deadLetters, ...heartbeats.values()]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
