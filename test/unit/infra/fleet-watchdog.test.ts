import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import type { ClusterAuditConfig } from '../../../lib/fleet/fleet-config.js';
import { FleetWatchdog } from '../../../lib/infra/fleet-watchdog.js';
import { cluster, testStack } from './infra-fixtures.js';

function build(clusters: readonly ClusterAuditConfig[] = [cluster('alpha'), cluster('beta')]) {
  const stack = testStack();
  const logGroup = new logs.LogGroup(stack, 'Logs');
  const fn = new lambda.Function(stack, 'Auditor', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => {};'),
    logGroup,
  });
  const key = new kms.Key(stack, 'Key');
  new FleetWatchdog(stack, 'Watchdog', {
    environmentName: 'prod',
    function: fn,
    logGroup,
    clusters,
    topic: new sns.Topic(stack, 'Health', { masterKey: key }),
    topicKey: key,
    deadLetterQueue: new sqs.Queue(stack, 'DeadLetters'),
  });
  const template = Template.fromStack(stack);
  const id = (type: string) => Object.keys(template.findResources(type))[0]!;
  return { template, functionId: id('AWS::Lambda::Function'), topicId: id('AWS::SNS::Topic'), keyId: id('AWS::KMS::Key') };
}

describe('FleetWatchdog', { timeout: 60_000 }, () => {
  it('alarms per environment, not per cluster: two alarms and two metrics whatever the cluster count', () => {
    // Act
    const few = build([cluster('a')]).template;
    const many = build(Array.from({ length: 40 }, (_, i) => cluster(`c${i}`))).template;

    // Assess
    for (const template of [few, many]) {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    }
  });

  it.each([
    ['StaleClusters', 'no longer audited'],
    ['FailingClusters', 'fail their audit'],
  ])('alarms on %s above zero in 2 of 3 minutes, or when the watchdog reports nothing, and says when it recovers', (metric, words) => {
    // Act
    const { template, topicId } = build();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'NatsAudit',
      MetricName: metric,
      Dimensions: [{ Name: 'Environment', Value: 'prod' }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
      AlarmDescription: Match.stringLikeRegexp(words),
    });
  });

  it('invokes the function every minute with the environment, no retries, undeliverable runs to the dead-letter queue', () => {
    // Act
    const { template, functionId } = build();

    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Input: JSON.stringify({ watchdog: 'prod', scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      }),
    });
  });

  it('lets the function publish to the health topic through SNS only', () => {
    // Act
    const { template, topicId, keyId } = build();

    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'PublishWatchdogNotices', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } },
          {
            Sid: 'EncryptWatchdogNotices',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  it('saves the per-cluster Logs Insights queries for the environment', () => {
    // Act
    const { template } = build();

    // Assess
    const names = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map((q) => (q as { Properties: { Name: string } }).Properties.Name);
    expect(names.sort()).toEqual(['nats-audit/prod/epochs', 'nats-audit/prod/problems', 'nats-audit/prod/watchdog']);
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'nats-audit/prod/epochs',
      QueryString: Match.stringLikeRegexp("filter message = 'epoch done'"),
    });
  });

  it('refuses a schedule the watchdog cannot judge, naming the cluster', () => {
    // Act
    const act = () => build([cluster('weekdays', { schedule: 'cron(0 9 ? * MON-FRI *)' })]);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow('cluster weekdays: schedule: cannot tell how often cron(0 9 ? * MON-FRI *) runs');
  });
});
