import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FindingsTopic, type FindingsTopicProps } from '../../../lib/infra/findings-topic.js';
import { nagFindings, testApp } from './infra-fixtures.js';

const SLACK = { workspaceId: 'T0123456789', channelId: 'C0123456789' };

function build(props: Partial<FindingsTopicProps> = {}) {
  const stack = new Stack(testApp(), 'Notifications', { env: { account: '111111111111', region: 'eu-west-1' } });
  new FindingsTopic(stack, 'Findings', { publisherAccounts: ['222222222222', '333333333333'], ...props });
  const template = Template.fromStack(stack);
  const id = (type: string) => Object.keys(template.findResources(type))[0]!;
  return { stack, template, keyId: id('AWS::KMS::Key'), topicId: id('AWS::SNS::Topic') };
}

function statement(template: Template, type: 'AWS::SNS::TopicPolicy' | 'AWS::KMS::Key', sid: string): unknown {
  const resource = Object.values(template.findResources(type))[0] as { Properties: Record<string, { Statement: { Sid?: string }[] }> };
  const document = type === 'AWS::KMS::Key' ? resource.Properties.KeyPolicy! : resource.Properties.PolicyDocument!;
  return document.Statement.find((s) => s.Sid === sid);
}

// The first synthesis in a worker loads most of aws-cdk-lib and takes several seconds.
describe('FindingsTopic', { timeout: 60_000 }, () => {
  it('names the topic and its rotating key so other accounts can address them', () => {
    // Act
    const { template, keyId } = build();

    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'nats-audit-findings', KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/nats-audit-findings', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('refuses plain HTTP', () => {
    // Act
    const { template, topicId } = build();

    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: { Ref: topicId }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets the listed accounts publish, and use the key only through SNS', () => {
    // Act
    const { template, topicId } = build();

    // Assess
    const accounts = { AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'] };
    expect(statement(template, 'AWS::SNS::TopicPolicy', 'AuditorsPublish')).toEqual({
      Sid: 'AuditorsPublish',
      Effect: 'Allow',
      Principal: accounts,
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
    });
    expect(statement(template, 'AWS::KMS::Key', 'AuditorsPublishThroughSns')).toEqual({
      Sid: 'AuditorsPublishThroughSns',
      Effect: 'Allow',
      Principal: accounts,
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
    });
  });

  it('lets any principal of the organization publish when an organization is given, instead of the listed accounts', () => {
    // Act
    const { template, topicId } = build({ organizationId: 'o-abcdef1234' });

    // Assess
    expect(statement(template, 'AWS::SNS::TopicPolicy', 'AuditorsPublish')).toEqual({
      Sid: 'AuditorsPublish',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
    });
    expect(statement(template, 'AWS::KMS::Key', 'AuditorsPublishThroughSns')).toEqual({
      Sid: 'AuditorsPublishThroughSns',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234', 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
    });
  });

  it('mails each address only the severities it asked for', () => {
    // Act
    const { template, topicId } = build({
      email: [
        { address: 'oncall@example.com', minSeverity: 'critical' },
        { address: 'team@example.com', minSeverity: 'warning' },
      ],
    });

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId },
      FilterPolicy: { severity: ['critical'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'team@example.com',
      TopicArn: { Ref: topicId },
      FilterPolicy: { severity: ['warning', 'critical'] },
    });
  });

  it('posts every finding to Slack through AWS Chatbot with a role that may do nothing', () => {
    // Act
    const { template, topicId } = build({ slack: SLACK });

    // Assess
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0]!;
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'nats-audit-findings',
      SlackWorkspaceId: SLACK.workspaceId,
      SlackChannelId: SLACK.channelId,
      SnsTopicArns: [{ Ref: topicId }],
      IamRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']] }],
      UserRoleRequired: false,
      LoggingLevel: 'ERROR',
    });
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('has no Slack channel unless one is given', () => {
    // Act
    const { template } = build();

    // Assess
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  it('passes cdk-nag with every option', () => {
    // Act
    const { stack } = build({ organizationId: 'o-abcdef1234', email: [{ address: 'oncall@example.com', minSeverity: 'critical' }], slack: SLACK });

    // Assess
    expect(nagFindings(stack)).toEqual([]);
  });

  it('refuses a topic no auditor could publish to', () => {
    // Act
    const act = () => build({ publisherAccounts: [] });

    // Assess
    expect(act).toThrow('FindingsTopic: give publisherAccounts or organizationId, or no auditor can publish');
  });
});
