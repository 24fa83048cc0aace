import { createHash } from 'node:crypto';
import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import type { ClusterAuditConfig, EnvironmentConfig } from '../../../lib/fleet/fleet-config.js';
import { AuditFunction, environmentBytes, type AuditFunctionProps } from '../../../lib/infra/audit-function.js';
import { AuditStateTable } from '../../../lib/infra/audit-state-table.js';
import { findingsDestination } from '../../../lib/infra/findings-destination.js';
import { AFTER_SAMPLING_RESERVE_MS } from '../../../lib/serverless/invocation-reserve.js';
import { ENVIRONMENT, readLambdaEnvironment } from '../../../lib/serverless/lambda-environment.js';
import { cluster, nagFindings, testStack } from './infra-fixtures.js';

const NETWORK: NonNullable<EnvironmentConfig['network']> = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718'],
  securityGroupIds: ['sg-0a1b2c3d4e5f60718'],
};
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:nats-audit/given-by-arn-AbCdEf';

function build(overrides: Partial<AuditFunctionProps> = {}, clusters: readonly ClusterAuditConfig[] = [cluster('alpha')]) {
  const stack = testStack();
  const stateTable = new AuditStateTable(stack, 'State');
  const auditor = new AuditFunction(stack, 'Auditor', {
    environmentName: 'test',
    clusters,
    stateTable,
    findings: findingsDestination(stack.partition, { account: '111111111111', region: 'us-east-1' }),
    ...overrides,
  });
  return { stack, auditor, template: Template.fromStack(stack) };
}

function policyStatements(template: Template): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AuditorRole') }] } }));
  expect(policies).toHaveLength(1);
  return (policies[0] as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement;
}

function logicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

// The first synthesis in a worker loads most of aws-cdk-lib and takes several seconds.
describe('AuditFunction', { timeout: 60_000 }, () => {
  it('runs the handler on Node.js 24, ARM64, 1024 MB and 60 s by default', () => {
    // Act
    const { template } = build();

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 60,
      Handler: 'index.handler',
    });
  });

  it('logs to a log group of its own, kept one month, created by the stack', () => {
    // Act
    const { template } = build();

    // Assess
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup') } } });
  });

  it('takes memory, timeout, retention, history days and reserved concurrency from its props', () => {
    // Act
    const { template } = build({
      memorySize: 512,
      timeout: Duration.seconds(30),
      logRetention: logs.RetentionDays.THREE_MONTHS,
      historyDays: 7,
      reservedConcurrentExecutions: 3,
    });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 30,
      ReservedConcurrentExecutions: 3,
      Environment: { Variables: Match.objectLike({ NATS_AUDIT_HISTORY_DAYS: '7' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('reserves no concurrency unless asked', () => {
    // Act
    const { template } = build();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  it('hands the clusters, table, topic and history to the handler in its environment', () => {
    // Prepare
    const clusters = [cluster('alpha'), cluster('beta', { schedule: 'rate(5 minutes)', expectServers: 5 })];

    // Act
    const { template } = build({}, clusters);

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          NATS_AUDIT_CLUSTERS: JSON.stringify(clusters),
          NATS_AUDIT_TABLE: { Ref: logicalId(template, 'AWS::DynamoDB::GlobalTable') },
          NATS_AUDIT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:nats-audit-findings',
          NATS_AUDIT_HISTORY_DAYS: '30',
          // No --enable-source-maps: it parses the whole source map on every cold start (lib/infra/audit-bundle.ts).
          NODE_OPTIONS: Match.absent(),
        },
      },
    });
  });

  it('stays out of any VPC unless the environment names one', () => {
    // Act
    const { template } = build();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('runs in the environment VPC with its subnets and security groups, and may manage its network interfaces', () => {
    // Act
    const { template } = build({ network: NETWORK });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: NETWORK.subnetIds, SecurityGroupIds: NETWORK.securityGroupIds },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] }],
    });
    // Imported security groups are left as they are.
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it('grants exactly what an audit needs, naming every resource', () => {
    // Prepare
    const clusters = [cluster('alpha'), cluster('beta', { credentialsSecret: SECRET_ARN }), cluster('gamma', { credentialsSecret: 'nats-audit/alpha' })];

    // Act
    const { template } = build({}, clusters);

    // Assess
    expect(policyStatements(template)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup'), 'Arn'] },
      },
      {
        Sid: 'ReadClusterCredentials',
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: ['arn:aws:secretsmanager:eu-west-1:222222222222:secret:nats-audit/alpha-??????', SECRET_ARN],
      },
      {
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable'), 'Arn'] },
      },
      { Sid: 'PublishFindings', Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:us-east-1:111111111111:nats-audit-findings' },
      {
        Sid: 'EncryptFindings',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: 'arn:aws:kms:us-east-1:111111111111:key/*',
        Condition: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/nats-audit-findings' },
          StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' },
        },
      },
    ]);
  });

  it('passes cdk-nag with and without a VPC, its acknowledgements naming each finding', () => {
    // Act
    const withoutVpc = build().stack;
    const withVpc = build({ network: NETWORK }).stack;

    // Assess
    expect(nagFindings(withoutVpc)).toEqual([]);
    expect(nagFindings(withVpc)).toEqual([]);
  });

  it('compresses the clusters past 4 KB, so a hundred clusters of one environment fit', () => {
    // Prepare: clusters as fleets name them, alike but each its own.
    const clusters = Array.from({ length: 100 }, (_, i) =>
      cluster(`team-${i}-prod`, { servers: [0, 1, 2].map((n) => `tls://nats-${n}.team-${i}.internal.example.com:4222`), credentialsSecret: 'nats-audit/prod' }),
    );

    // Act
    const { template } = build({ environmentName: 'big' }, clusters);

    // Assess
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: Record<string, string> } } };
    const vars = fn.Properties.Environment.Variables;
    expect(vars[ENVIRONMENT.clusters]).toBeUndefined();
    const read = readLambdaEnvironment({ ...vars, [ENVIRONMENT.table]: 't', [ENVIRONMENT.topicArn]: 'arn:aws:sns:eu-west-1:111111111111:nats-audit-findings' });
    expect([...read.clusters.values()]).toEqual(clusters);
  });

  it('refuses clusters whose environment variables exceed Lambda\'s 4 KB even compressed', () => {
    // Prepare: server names with nothing in common, which gzip cannot shrink.
    const noise = (i: number) => createHash('sha256').update(String(i)).digest('hex');
    const clusters = Array.from({ length: 4 }, (_, c) => cluster(`cluster-${c}`, { servers: Array.from({ length: 20 }, (_, i) => `tls://${noise(c * 100 + i)}:4222`) }));

    // Act
    const act = () => build({ environmentName: 'crowded' }, clusters);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      /^environments\.crowded: its 4 clusters need \d+ bytes of Lambda environment variables even compressed, over Lambda's 4096-byte limit; split them across more environments$/,
    );
  });
});

describe('AuditFunction: a gather deadline must leave the invocation time to save', { timeout: 60_000 }, () => {
  it('refuses a cluster whose audit.timeoutMs leaves less than the reserve before the function timeout, naming it', () => {
    // Act
    const act = () => build({}, [cluster('alpha'), cluster('slow', { timeoutMs: 50_001 })]);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      "cluster slow: audit.timeoutMs: 50001 ms leaves the function's 60 s timeout no 10 s to notify and save after gathering; give at most 50000 ms, or a longer function timeout",
    );
  });

  it('takes a deadline that just fits, and a longer one with a longer function timeout', () => {
    // Act / Assess
    expect(() => build({}, [cluster('edge', { timeoutMs: 60_000 - AFTER_SAMPLING_RESERVE_MS })])).not.toThrow();
    expect(() => build({ timeout: Duration.seconds(90) }, [cluster('slow', { timeoutMs: 60_000 })])).not.toThrow();
  });
});

describe('environmentBytes', { timeout: 60_000 }, () => {
  it('measures the variables as Lambda does, a JSON object, counting a deploy-time value at its longest', () => {
    // Prepare
    const stack: Stack = testStack();
    const table = new AuditStateTable(stack, 'State').table;

    // Act
    const plain = environmentBytes({ A: 'b', NAME: 'é' });
    const withToken = environmentBytes({ T: table.tableName });

    // Assess
    expect(plain).toBe(Buffer.byteLength('{"A":"b","NAME":"é"}'));
    expect(withToken).toBe(Buffer.byteLength(`{"T":"${'x'.repeat(255)}"}`));
  });
});
