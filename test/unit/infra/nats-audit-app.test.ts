import { Validations, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { controlTowerChecks } from '../../../lib/infra/control-tower.js';
import { addNatsAuditStacks, type NatsAuditStacks } from '../../../lib/infra/nats-audit-app.js';
import { acknowledgements, exampleFleet, nagFindings, testApp } from './infra-fixtures.js';

/** Every Resource of every IAM policy statement in the stack, flattened to text. */
function policyResources(stack: Stack): string[] {
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const resources: string[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    for (const statement of (resource.Properties.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement) {
      for (const r of [statement.Resource].flat()) resources.push(typeof r === 'string' ? r : JSON.stringify(r));
    }
  }
  return resources;
}

// Synthesizing the example fleet loads most of aws-cdk-lib and takes several seconds.
describe('addNatsAuditStacks with the example fleet', { timeout: 120_000 }, () => {
  let stacks: NatsAuditStacks;
  beforeAll(() => {
    stacks = addNatsAuditStacks(testApp(), exampleFleet());
  }, 120_000);

  const environment = (name: string) => stacks.environments.get(name)!;

  it('makes the notifications stack and one stack per environment, each in its account and region', () => {
    // Assess
    expect([stacks.notifications, ...stacks.environments.values()].map((s) => [s.stackName, s.account, s.region])).toEqual([
      ['NatsAuditNotifications', '111111111111', 'eu-west-1'],
      ['NatsAudit-payments-prod', '222222222222', 'eu-west-1'],
      ['NatsAudit-search-prod', '333333333333', 'us-east-1'],
    ]);
  });

  it('deploys every environment after the notifications stack it publishes to', () => {
    // Assess
    for (const stack of stacks.environments.values()) expect(stack.dependencies).toEqual([stacks.notifications]);
  });

  it('gives each environment only its own clusters', () => {
    // Assess
    for (const [name, clusterName, expression] of [
      ['payments-prod', 'payments-eu', 'rate(1 minute)'],
      ['search-prod', 'search-us', 'rate(5 minutes)'],
    ] as const) {
      const template = Template.fromStack(environment(name));
      // The cluster's schedule and the environment's watchdog.
      template.resourceCountIs('AWS::Scheduler::Schedule', 2);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: expression,
        Target: Match.objectLike({ Input: Match.stringLikeRegexp(`"cluster":"${clusterName}"`) }),
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Target: Match.objectLike({ Input: Match.stringLikeRegexp(`"watchdog":"${name}"`) }),
      });
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: Record<string, string> } } };
      expect((JSON.parse(fn.Properties.Environment.Variables.NATS_AUDIT_CLUSTERS!) as { name: string }[]).map((c) => c.name)).toEqual([clusterName]);
    }
  });

  it('lets Lambda retry a failed epoch twice within five minutes, then dead-letters it beside the scheduler', () => {
    // Assess
    const template = Template.fromStack(environment('search-prod'));
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('points every auditor at the central topic in the notifications account, whatever its own region', () => {
    // Assess
    for (const stack of stacks.environments.values()) {
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { NATS_AUDIT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111111111111:nats-audit-findings' } },
      });
    }
  });

  it('runs the payments auditor in its VPC and the search auditor outside any', () => {
    // Assess
    Template.fromStack(environment('payments-prod')).hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718'], SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
    });
    expect(Object.values(Template.fromStack(environment('search-prod')).findResources('AWS::Lambda::Function'))[0]).not.toHaveProperty('Properties.VpcConfig');
  });

  it('mails the payments environment\'s alarms to its address', () => {
    // Assess
    Template.fromStack(environment('payments-prod')).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform@example.com' });
    Template.fromStack(environment('search-prod')).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('grants no wildcard action in any identity policy except the one AWS documents for SNS publishers', () => {
    // Assess
    for (const stack of [stacks.notifications, ...stacks.environments.values()]) {
      const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
      const actions = Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
        .flatMap((r) => [r.Properties.PolicyDocument, ...((r.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument)])
        .flatMap((doc) => ((doc as { Statement?: { Effect: string; Action: unknown }[] } | undefined)?.Statement ?? []))
        .filter((st) => st.Effect === 'Allow')
        .flatMap((st) => [st.Action].flat() as string[]);
      expect(actions.filter((a) => a.includes('*')), stack.stackName).toEqual(
        stack === stacks.notifications ? [] : ['kms:GenerateDataKey*'],
      );
    }
  });

  it('encrypts everything it stores at rest: queues, topics and tables', () => {
    // Assess
    const checked: string[] = [];
    for (const stack of [stacks.notifications, ...stacks.environments.values()]) {
      const template = Template.fromStack(stack);
      for (const type of ['AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::DynamoDB::GlobalTable']) {
        checked.push(...Object.keys(template.findResources(type)).map(() => `${stack.stackName} ${type}`));
      }
      for (const [id, queue] of Object.entries(template.findResources('AWS::SQS::Queue'))) {
        const p = (queue as { Properties: Record<string, unknown> }).Properties;
        expect(p.SqsManagedSseEnabled === true || p.KmsMasterKeyId !== undefined, `${stack.stackName} ${id}`).toBe(true);
      }
      for (const [id, topic] of Object.entries(template.findResources('AWS::SNS::Topic'))) {
        expect((topic as { Properties: Record<string, unknown> }).Properties.KmsMasterKeyId, `${stack.stackName} ${id}`).toBeDefined();
      }
      for (const [id, table] of Object.entries(template.findResources('AWS::DynamoDB::GlobalTable'))) {
        expect((table as { Properties: { SSESpecification?: { SSEEnabled: boolean } } }).Properties.SSESpecification?.SSEEnabled, `${stack.stackName} ${id}`).toBe(true);
      }
    }
    // Not vacuous: the findings topic, and per environment its dead-letter queue, health topic and state table.
    expect(checked.sort()).toEqual(
      [
        'NatsAuditNotifications AWS::SNS::Topic',
        ...['payments-prod', 'search-prod'].flatMap((e) => [`NatsAudit-${e} AWS::SQS::Queue`, `NatsAudit-${e} AWS::SNS::Topic`, `NatsAudit-${e} AWS::DynamoDB::GlobalTable`]),
      ].sort(),
    );
  });

  it('names no resource with a wildcard except the findings key, which only its alias condition narrows', () => {
    // Assess
    for (const [name, account] of [
      ['payments-prod', '222222222222'],
      ['search-prod', '333333333333'],
    ] as const) {
      const wildcards = policyResources(environment(name)).filter((r) => r.includes('*'));
      expect(wildcards, `${name} (${account})`).toEqual(['arn:aws:kms:eu-west-1:111111111111:key/*']);
    }
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged in any stack', () => {
    // Assess
    for (const stack of [stacks.notifications, ...stacks.environments.values()]) expect(nagFindings(stack), stack.stackName).toEqual([]);
  });

  it('acknowledges exactly these findings, each where it arises', () => {
    // Assess
    expect(acknowledgements(stacks.notifications)).toEqual({});
    expect(acknowledgements(environment('payments-prod'))).toEqual({
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones': ['Auditor/Vpc'],
      '@aws-cdk/aws-ec2:noSubnetRouteTableId': ['Auditor/Subnet0', 'Auditor/Subnet1'],
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]': ['Auditor/Role'],
      'AwsSolutions-IAM5[Resource::arn:aws:kms:eu-west-1:111111111111:key/*]': ['Auditor/Role'],
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': ['Auditor/Role'],
      'AwsSolutions-SQS3': ['Schedules/DeadLetters'],
      'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check': ['Auditor/Logs/Default'],
      'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check': ['Auditor/Logs/Default'],
    });
    // No VPC, no VPC findings; but Control Tower's rule for a function outside one.
    expect(acknowledgements(environment('search-prod'))).toEqual({
      'AwsSolutions-IAM5[Resource::arn:aws:kms:eu-west-1:111111111111:key/*]': ['Auditor/Role'],
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': ['Auditor/Role'],
      'AwsSolutions-SQS3': ['Schedules/DeadLetters'],
      'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check': ['Auditor/Logs/Default'],
      'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check': ['Auditor/Logs/Default'],
      'cdk-validator-cfnguard::lambda_inside_vpc_check': ['Auditor/Function'],
    });
  });
});

describe('the app as bin/app.ts builds it', { timeout: 120_000 }, () => {
  it('synthesizes with cdk-nag and the Control Tower rules as validation plugins, without credentials or lookups', () => {
    // Prepare
    const app = testApp({ builtinCloudFormationValidation: true });
    addNatsAuditStacks(app, exampleFleet());
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), controlTowerChecks());

    // Act
    const assembly = app.synth();

    // Assess
    expect(assembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region])).toEqual([
      ['NatsAuditNotifications', '111111111111', 'eu-west-1'],
      ['NatsAudit-payments-prod', '222222222222', 'eu-west-1'],
      ['NatsAudit-search-prod', '333333333333', 'us-east-1'],
    ]);
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  it('fails the synth when a finding is left unacknowledged', () => {
    // Prepare
    const app = testApp();
    const { notifications } = addNatsAuditStacks(app, exampleFleet());
    new sqs.Queue(notifications, 'Unguarded');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const act = () => app.synth();

    // Assess
    expect(act).toThrow(/AwsSolutions-SQS3/);
  });
});
