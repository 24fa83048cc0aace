import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AssetHashType, Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigError } from '../errors.js';
import type { ClusterAuditConfig, EnvironmentConfig } from '../fleet/fleet-config.js';
import { AFTER_SAMPLING_RESERVE_MS } from '../serverless/invocation-reserve.js';
import { ENVIRONMENT } from '../serverless/lambda-environment.js';
import { AUDIT_NODE_OPTIONS, AuditBundling } from './audit-bundle.js';
import { AuditLogGroup } from './audit-log-group.js';
import type { AuditStateTable } from './audit-state-table.js';
import { CONTROL_TOWER_RULES, acknowledgeControlTower } from './control-tower.js';
import type { FindingsDestination } from './findings-destination.js';
import { wildcardResourceFinding } from './nag-finding.js';
import { projectRoot } from './project-root.js';

export const AUDIT_FUNCTION_DEFAULTS = {
  memorySize: 1024,
  timeout: Duration.seconds(60),
  logRetention: logs.RetentionDays.ONE_MONTH,
  historyDays: 30,
} as const;

/** Lambda refuses a function whose environment variables, serialized as a JSON object, exceed 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * Bytes counted for a value not known until deploy (the generated table
 * name): the longest a DynamoDB table name can be, so the check never passes
 * a function that deploy would refuse.
 */
const UNRESOLVED_VALUE_BYTES = 255;

/** Secrets Manager appends a dash and six random characters to a secret's name in its ARN. */
const SECRET_SUFFIX_PATTERN = '-??????';

export interface AuditFunctionProps {
  /** The fleet environment this function audits; named in its description and in errors. */
  readonly environmentName: string;
  /** The environment's clusters, handed to the function as NATS_AUDIT_CLUSTERS. */
  readonly clusters: readonly ClusterAuditConfig[];
  /** Where the function keeps state. */
  readonly stateTable: AuditStateTable;
  /**
   * The environment's health topic, where the watchdog (fleet-watchdog.ts) names stale and failing clusters.
   *
   * @default - none: watchdog events fail, naming the missing variable
   */
  readonly healthTopicArn?: string;
  /** The central findings topic and its key. */
  readonly findings: FindingsDestination;
  /**
   * Run inside this VPC to reach clusters on private addresses.
   *
   * @default - outside any VPC
   */
  readonly network?: EnvironmentConfig['network'];
  /**
   * Memory in MB; CPU grows with it, and TLS handshakes to every server are CPU-bound.
   *
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Time one invocation may take.
   *
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Encrypt the log group with a customer managed key (see AuditLogGroup).
   *
   * @default false
   */
  readonly logEncrypted?: boolean;
  /**
   * Days run records stay in the state table (NATS_AUDIT_HISTORY_DAYS).
   *
   * @default 30
   */
  readonly historyDays?: number;
  /**
   * Concurrent executions reserved for (and capping) the function.
   *
   * @default - none: the function draws on the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * The handler's source file, exporting `handler`.
   *
   * @default - functions/audit.ts in the project root
   */
  readonly entry?: string;
}

/**
 * The scheduled auditor: one invocation audits one cluster. Bundled by
 * esbuild into an ES module and the chunks it loads on demand, with the AWS
 * SDK inside, so the SDK version that runs is the one the tests ran, not
 * whatever the runtime ships (see audit-bundle.ts).
 *
 * Permissions are named one by one: the cluster secrets, the state table,
 * publishing to the central topic and the central key by alias. A secret
 * encrypted with a customer managed key (rather than `aws/secretsmanager`)
 * also needs kms:Decrypt on that key, which the operator grants `role`; a
 * secret in another account also needs a resource policy admitting `role`.
 */
export class AuditFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AuditFunctionProps) {
    super(scope, id);
    const memorySize = props.memorySize ?? AUDIT_FUNCTION_DEFAULTS.memorySize;
    const timeout = props.timeout ?? AUDIT_FUNCTION_DEFAULTS.timeout;
    refuseGathersPastTimeout(props.clusters, timeout);
    const logRetention = props.logRetention ?? AUDIT_FUNCTION_DEFAULTS.logRetention;
    const historyDays = props.historyDays ?? AUDIT_FUNCTION_DEFAULTS.historyDays;
    const root = projectRoot();
    const entry = props.entry ?? join(root, 'functions', 'audit.ts');

    const clustersJson = JSON.stringify(props.clusters);
    const common: Record<string, string> = {
      [ENVIRONMENT.table]: props.stateTable.table.tableName,
      [ENVIRONMENT.topicArn]: props.findings.topicArn,
      [ENVIRONMENT.historyDays]: String(historyDays),
      [ENVIRONMENT.environment]: props.environmentName,
      ...(props.healthTopicArn ? { [ENVIRONMENT.healthTopicArn]: props.healthTopicArn } : {}),
      ...(AUDIT_NODE_OPTIONS.length > 0 ? { NODE_OPTIONS: AUDIT_NODE_OPTIONS.join(' ') } : {}),
    };
    // Plain JSON while it fits; past Lambda's 4 KB, gzip + base64: clusters of one
    // environment repeat the same fields and domains, so about ten times as many fit.
    let environment: Record<string, string> = { [ENVIRONMENT.clusters]: clustersJson, ...common };
    if (environmentBytes(environment) > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      environment = { [ENVIRONMENT.clustersGz]: gzipSync(clustersJson, { level: 9 }).toString('base64'), ...common };
      const bytes = environmentBytes(environment);
      if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
        throw new ConfigError(
          `environments.${props.environmentName}`,
          `its ${props.clusters.length} clusters need ${bytes} bytes of Lambda environment variables even compressed, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit; split them across more environments`,
        );
      }
    }

    // Created here rather than by Lambda on first write, so retention applies from the start and the role can be scoped to it.
    this.logGroup = new AuditLogGroup(this, 'Logs', { environmentName: props.environmentName, retention: logRetention, encrypted: props.logEncrypted }).logGroup;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `nats-audit auditor of environment ${props.environmentName}`,
    });
    this.logGroup.grantWrite(this.role);

    const vpcConfig = props.network ? this.importNetwork(props.network) : {};
    if (props.network) {
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }

    // Pinned, not "latest". Lambda deprecated its Node 20 runtime in 2026;
    // the bundle targets Node 20 syntax, and CI runs it on Node 24 and 20.
    const runtime = lambda.Runtime.NODEJS_24_X;
    this.function = new lambda.Function(this, 'Function', {
      description: `nats-audit: audits the NATS clusters of environment ${props.environmentName}`,
      code: lambda.Code.fromAsset(root, {
        // Hashed by what was built, not by the project directory (node_modules and all).
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new AuditBundling(entry),
          // Required by the type, never used: AuditBundling bundles or throws.
          image: runtime.bundlingImage,
        },
      }),
      handler: 'index.handler',
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment,
      ...vpcConfig,
    });

    this.grantRunPermissions(props);
    if (props.network) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          "AWSLambdaVPCAccessExecutionRole is what Lambda needs to manage the function's network interfaces in the environment VPC; ec2:DescribeNetworkInterfaces supports no resource scoping, and AWS keeps the policy in step with what Lambda checks when it creates the function.",
      });
    } else {
      acknowledgeControlTower(
        this.function,
        CONTROL_TOWER_RULES.lambdaInVpc,
        `Environment ${props.environmentName} names no network, so its clusters are reached on addresses Lambda's own networking routes to; where Control Tower's CT.LAMBDA.PR.3 is enforced, set the fleet file's environments.${props.environmentName}.network (VPC, subnets, security groups).`,
      );
    }
  }

  private importNetwork(network: NonNullable<EnvironmentConfig['network']>): Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
    // Imported by id, not looked up: synth must work without credentials.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: network.vpcId, availabilityZones: Fn.getAzs() });
    Validations.of(vpc).acknowledge({
      id: '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      reason: 'The zones would only serve to pick subnets by type; the function names its subnets.',
    });
    const subnets = network.subnetIds.map((subnetId, i) => {
      const subnet = ec2.Subnet.fromSubnetId(this, `Subnet${i}`, subnetId);
      Validations.of(subnet).acknowledge({
        id: '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason: 'Nothing here reads the subnet\'s route table; the function only places its network interfaces in it.',
      });
      return subnet;
    });
    return {
      vpc,
      vpcSubnets: { subnets },
      securityGroups: network.securityGroupIds.map((sgId, i) =>
        // Immutable: the environment owns its security groups; this stack must not add rules to them.
        ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, sgId, { mutable: false }),
      ),
    };
  }

  private grantRunPermissions(props: AuditFunctionProps): void {
    const stack = Stack.of(this);
    const secretArns = [...new Set(props.clusters.map((c) => secretArn(c.credentialsSecret, stack)))];
    if (secretArns.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ReadClusterCredentials', actions: ['secretsmanager:GetSecretValue'], resources: secretArns }),
      );
    }
    props.stateTable.grantAuditAccess(this.role);
    this.role.addToPrincipalPolicy(
      // PublishBatch is authorized as sns:Publish.
      new iam.PolicyStatement({ sid: 'PublishFindings', actions: ['sns:Publish'], resources: [props.findings.topicArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptFindings',
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: [props.findings.keyArns],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': props.findings.keyAlias },
          StringEquals: { 'kms:ViaService': `sns.${props.findings.region}.amazonaws.com` },
        },
      }),
    );
    const keyReason =
      'The findings key lives in the notifications account and its id is only known after that stack deploys; the statement names it by alias instead (kms:ResourceAliases = alias/nats-audit-findings) and allows its use only through SNS (kms:ViaService).';
    Validations.of(this.role).acknowledge(
      { id: wildcardResourceFinding(this, props.findings.keyArns), reason: keyReason },
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: `${keyReason} kms:GenerateDataKey* is the action AWS documents for SNS publishers.` },
    );
  }
}

/**
 * The ARN IAM matches for a cluster secret: a full ARN as given, or a name
 * completed with this stack's partition, region and account and the six
 * characters Secrets Manager appends.
 */
export function secretArn(secret: string, stack: Stack): string {
  if (secret.startsWith('arn:')) return secret;
  return `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${secret}${SECRET_SUFFIX_PATTERN}`;
}

/** Size Lambda measures: the variables as one JSON object, a value known only at deploy counted at its longest. */
export function environmentBytes(variables: Readonly<Record<string, string>>): number {
  const measured = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, Token.isUnresolved(value) ? 'x'.repeat(UNRESOLVED_VALUE_BYTES) : value]),
  );
  return Buffer.byteLength(JSON.stringify(measured), 'utf8');
}

/**
 * A cluster whose gather deadline leaves no reserve before the function's
 * timeout could hang to the end of the invocation, which Lambda then kills
 * before the state is saved or anyone is notified: refused at synthesis.
 */
function refuseGathersPastTimeout(clusters: readonly ClusterAuditConfig[], timeout: Duration): void {
  const room = timeout.toMilliseconds() - AFTER_SAMPLING_RESERVE_MS;
  for (const c of clusters) {
    if (c.timeoutMs <= room) continue;
    throw new ConfigError(
      `cluster ${c.name}: audit.timeoutMs`,
      `${c.timeoutMs} ms leaves the function's ${timeout.toSeconds()} s timeout no ${AFTER_SAMPLING_RESERVE_MS / 1000} s to notify and save after gathering; give at most ${room} ms, or a longer function timeout`,
    );
  }
}
