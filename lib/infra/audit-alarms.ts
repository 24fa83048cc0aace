import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const AUDIT_ALARM_DEFAULTS = {
  /** Window of the error and dead-letter alarms. */
  period: Duration.minutes(5),
} as const;

export interface AuditAlarmsProps {
  /** The audit function whose errors are watched. */
  readonly function: lambda.IFunction;
  /** The schedules' dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
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
 * failing and invocations given up on. A cluster no longer audited at all is
 * the watchdog's to tell (fleet-watchdog.ts), by name, one alarm for the
 * whole environment.
 */
export class AuditAlarms extends Construct {
  readonly functionErrors: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;

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

    for (const alarm of [this.functionErrors, this.deadLetters]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
