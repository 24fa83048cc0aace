import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AuditorHealthTopic } from '../../../lib/infra/auditor-health-topic.js';
import { nagFindings, testStack } from './infra-fixtures.js';

function build(emails?: readonly string[]) {
  const stack = testStack();
  new AuditorHealthTopic(stack, 'Health', { emails });
  const template = Template.fromStack(stack);
  const id = (type: string) => Object.keys(template.findResources(type))[0]!;
  return { stack, template, keyId: id('AWS::KMS::Key'), topicId: id('AWS::SNS::Topic') };
}

// The first synthesis in a worker loads most of aws-cdk-lib and takes several seconds.
describe('AuditorHealthTopic', { timeout: 60_000 }, () => {
  it('encrypts the topic with a rotating key of its own and refuses plain HTTP', () => {
    // Act
    const { stack, template, keyId, topicId } = build();

    // Assess
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('lets CloudWatch alarms of this account publish and use the key', () => {
    // Act
    const { template, topicId } = build();

    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '222222222222' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:*' },
            },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('mails each alarm address, unfiltered', () => {
    // Act
    const { template, topicId } = build(['platform@example.com', 'sre@example.com']);

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['platform@example.com', 'sre@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address, TopicArn: { Ref: topicId }, FilterPolicy: Match.absent() });
    }
  });

  it('has no subscription without addresses', () => {
    // Act
    const { template } = build();

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
