import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../errors.js';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { staleWindowMinutes } from '../fleet/stale-window.js';
import { LOG_QUERIES } from '../serverless/log-queries.js';
import { ENVIRONMENT_DIMENSION, FLEET_METRICS, METRIC_NAMESPACE, type FleetMetricName } from '../serverless/metrics.js';
import { InvokeFunction } from './audit-schedules.js';

export const FLEET_WATCHDOG_DEFAULTS = {
  /** How often the watchdog judges the environment: with the 3-minute stale window, a stopped cluster is named within 4 minutes. */
  schedule: 'rate(1 minute)',
  /** Alarm datapoints: one a minute, as the watchdog runs. */
  period: Duration.minutes(1),
  /** The alarm fires when 2 of the last 3 minutes saw a cluster in trouble, or no watchdog figure at all. */
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
} as const;

export interface FleetWatchdogProps {
  readonly environmentName: string;
  /** The function that audits the clusters; the watchdog is another event to it. */
  readonly function: lambda.Function;
  /** Its log group, for the saved queries. */
  readonly logGroup: logs.ILogGroup;
  readonly clusters: readonly ClusterAuditConfig[];
  /** The environment's health topic (the function's NATS_AUDIT_HEALTH_TOPIC_ARN): the watchdog's notices and its alarms go there. */
  readonly topic: sns.ITopic;
  /** The health topic's key, which publishing needs. */
  readonly topicKey: kms.IKey;
  /** Where a watchdog invocation the scheduler could not deliver goes. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * How often the watchdog runs.
   *
   * @default 'rate(1 minute)'
   */
  readonly schedule?: string;
}

/**
 * One watchdog per environment instead of metrics and an alarm per cluster:
 * a schedule invokes the audit function with `{"watchdog": <environment>}`,
 * the function reads every cluster's latest run from the ledger, emits
 * StaleClusters and FailingClusters (dimension Environment) and mails the
 * health topic the names whenever the set changes. Two alarms watch those
 * figures, and also fire when the watchdog itself stops reporting them.
 * Per-cluster detail is in the logs, behind the saved queries.
 */
export class FleetWatchdog extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly alarms: Readonly<Record<FleetMetricName, cloudwatch.Alarm>>;
  readonly queries: readonly logs.QueryDefinition[];

  constructor(scope: Construct, id: string, props: FleetWatchdogProps) {
    super(scope, id);
    for (const cluster of props.clusters) {
      try {
        staleWindowMinutes(cluster.schedule);
      } catch (error) {
        throw new ConfigError(`cluster ${cluster.name}: schedule`, (error as Error).message, { cause: error });
      }
    }
    const env = props.environmentName;
    props.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'PublishWatchdogNotices', actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    // Named actions, not kms:GenerateDataKey*: only what an SNS publish to an encrypted topic uses.
    props.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptWatchdogNotices',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.topicKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `nats-audit: judge every cluster of environment ${env} from its latest run`,
      schedule: scheduler.ScheduleExpression.expression(props.schedule ?? FLEET_WATCHDOG_DEFAULTS.schedule),
      target: new InvokeFunction(props.function, {
        input: scheduler.ScheduleTargetInput.fromObject({ watchdog: env, scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        // The next run a minute later repeats the whole judgement; a retry adds nothing.
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        deadLetterQueue: props.deadLetterQueue,
      }),
      timeWindow: scheduler.TimeWindow.off(),
    });

    const notify = new actions.SnsAction(props.topic);
    const alarm = (name: FleetMetricName, what: string) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmDescription: `nats-audit: ${what} in environment ${env}; the watchdog's notice on this topic names them (saved query ${LOG_QUERIES.watchdog.name(env)}). Also fires when the watchdog reports nothing.`,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: name satisfies keyof typeof FLEET_METRICS,
          dimensionsMap: { [ENVIRONMENT_DIMENSION]: env },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: FLEET_WATCHDOG_DEFAULTS.period,
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        evaluationPeriods: FLEET_WATCHDOG_DEFAULTS.evaluationPeriods,
        datapointsToAlarm: FLEET_WATCHDOG_DEFAULTS.datapointsToAlarm,
        // No figure means no watchdog: exactly the silence that must not read as health.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      return a;
    };
    this.alarms = {
      StaleClusters: alarm('StaleClusters', 'clusters are no longer audited (no completed run within their window)'),
      FailingClusters: alarm('FailingClusters', 'clusters fail their audit (configuration, credentials or authorization)'),
    };

    this.queries = Object.entries(LOG_QUERIES).map(
      ([key, q]) =>
        new logs.QueryDefinition(this, `Query-${key}`, {
          queryDefinitionName: q.name(env),
          logGroups: [props.logGroup],
          queryString: new logs.QueryString({
            fields: [...q.fields],
            filterStatements: [...q.filterStatements],
            ...('statsStatements' in q ? { statsStatements: [...q.statsStatements] } : {}),
            ...(q.sort ? { sort: q.sort } : {}),
            ...('limit' in q ? { limit: q.limit } : {}),
          }),
        }),
    );
  }
}
