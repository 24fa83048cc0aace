import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import type { ClusterAuditConfig } from '../../../lib/fleet/fleet-config.js';
import { AuditAlarms, type AuditAlarmsProps } from '../../../lib/infra/audit-alarms.js';
import { cluster, testStack } from './infra-fixtures.js';

function build(clusters: readonly ClusterAuditConfig[] = [cluster('alpha')], overrides: Partial<AuditAlarmsProps> = {}) {
  const stack = testStack();
  const fn = new lambda.Function(stack, 'Auditor', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => {};'),
  });
  new AuditAlarms(stack, 'Alarms', {
    function: fn,
    deadLetterQueue: new sqs.Queue(stack, 'DeadLetters'),
    topic: new sns.Topic(stack, 'Health'),
    clusters,
    ...overrides,
  });
  const template = Template.fromStack(stack);
  const id = (type: string) => Object.keys(template.findResources(type))[0]!;
  return { template, functionId: id('AWS::Lambda::Function'), queueId: id('AWS::SQS::Queue'), topicId: id('AWS::SNS::Topic') };
}

// The first synthesis in a worker loads most of aws-cdk-lib and takes several seconds.
describe('AuditAlarms', { timeout: 60_000 }, () => {
  it('alarms on any function error within five minutes, and says when it recovers', () => {
    // Act
    const { template, functionId, topicId } = build();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('alarms as soon as a dead letter is waiting', () => {
    // Act
    const { template, queueId, topicId } = build();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('takes the window of the error and dead-letter alarms from its props', () => {
    // Act
    const { template } = build([], { period: Duration.minutes(15) });

    // Assess
    const periods = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: { Period: number } }).Properties.Period);
    expect(periods).toEqual([900, 900]);
  });

  it('alarms per cluster when its heartbeat is missing for three of its intervals, at least five minutes', () => {
    // Prepare
    const clusters = [
      cluster('every-minute'),
      cluster('every-five', { schedule: 'rate(5 minutes)' }),
      cluster('hourly', { schedule: 'rate(1 hour)' }),
      cluster('cron-ten', { schedule: 'cron(0/10 * * * ? *)' }),
    ];

    // Act
    const { template, topicId } = build(clusters);

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2 + clusters.length);
    for (const [name, period] of [
      ['every-minute', 300],
      ['every-five', 900],
      ['hourly', 10_800],
      ['cron-ten', 1800],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'NatsAudit',
        MetricName: 'Heartbeat',
        Dimensions: [{ Name: 'Cluster', Value: name }],
        Statistic: 'SampleCount',
        Period: period,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
        AlarmDescription: Match.stringLikeRegexp(`cluster ${name} `),
      });
    }
  });

  it('refuses a schedule its heartbeat alarm cannot watch, naming the cluster', () => {
    // Act
    const act = () => build([cluster('slow', { schedule: 'rate(12 hours)' })]);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      "cluster slow: schedule: rate(12 hours) can leave 720 minutes between runs; its missing-heartbeat alarm must span 3 runs within CloudWatch's one-day limit, so runs must be at most 480 minutes apart",
    );
  });
});
