import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { AuditAlarms, type AuditAlarmsProps } from '../../../lib/infra/audit-alarms.js';
import { testStack } from './infra-fixtures.js';

function build(overrides: Partial<AuditAlarmsProps> = {}) {
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
    const { template } = build({ period: Duration.minutes(15) });

    // Assess
    const periods = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: { Period: number } }).Properties.Period);
    expect(periods).toEqual([900, 900]);
  });
});
