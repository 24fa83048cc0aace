import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { AuditSchedules, type AuditSchedulesProps } from '../../../lib/infra/audit-schedules.js';
import { cluster, nagFindings, testStack } from './infra-fixtures.js';

function build(overrides: Partial<AuditSchedulesProps> = {}) {
  const stack = testStack();
  const fn = new lambda.Function(stack, 'Auditor', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => {};'),
  });
  const schedules = new AuditSchedules(stack, 'Schedules', {
    function: fn,
    clusters: [cluster('alpha'), cluster('beta', { schedule: 'rate(5 minutes)' }), cluster('gamma', { schedule: 'cron(0/10 * * * ? *)' })],
    ...overrides,
  });
  const template = Template.fromStack(stack);
  const id = (type: string, prefix: string) => Object.keys(template.findResources(type)).find((k) => k.startsWith(prefix))!;
  return { stack, schedules, template, functionId: id('AWS::Lambda::Function', 'Auditor'), queueId: id('AWS::SQS::Queue', 'Schedules') };
}

// The first synthesis in a worker loads most of aws-cdk-lib and takes several seconds.
describe('AuditSchedules', { timeout: 60_000 }, () => {
  it('schedules each cluster at its own expression with its name and the scheduled time as input', () => {
    // Act
    const { template, functionId } = build();

    // Assess
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    for (const [name, expression] of [
      ['alpha', 'rate(1 minute)'],
      ['beta', 'rate(5 minutes)'],
      ['gamma', 'cron(0/10 * * * ? *)'],
    ] as const) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: expression,
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Input: `{"cluster":"${name}","scheduledTime":"<aws.scheduler.scheduled-time>"}`,
        }),
      });
    }
  });

  it('retries twice within five minutes, then dead-letters', () => {
    // Act
    const { template, queueId } = build();

    // Assess
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as { Properties: { Target: Record<string, unknown> } }[];
    for (const schedule of schedules) {
      expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 });
      expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    }
  });

  it('takes retry attempts and event age from its props', () => {
    // Act
    const { template } = build({ retryAttempts: 0, maxEventAge: Duration.minutes(2) });

    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 } }),
    });
  });

  it('dead-letters to an encrypted queue that keeps messages 14 days and refuses plain HTTP', () => {
    // Act
    const { template, queueId } = build();

    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          }),
        ],
      },
    });
  });

  it('gives the scheduler one role that may invoke this function, unqualified, and send dead letters', () => {
    // Act
    const { template, functionId, queueId } = build();

    // Assess
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '222222222222', 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:222222222222:schedule-group/default' },
            },
          },
        ],
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: unknown[] } } }[];
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [
        { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [functionId, 'Arn'] } },
        { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      ],
    ]);
  });

  it('passes cdk-nag, the dead-letter queue acknowledged as having none of its own', () => {
    // Act
    const { stack } = build();

    // Assess
    expect(nagFindings(stack).filter((f) => !f.includes('/Auditor/'))).toEqual([]);
  });
});
