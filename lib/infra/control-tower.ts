import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IConstruct } from 'constructs';

/**
 * AWS Control Tower's proactive controls are CloudFormation hooks that reject
 * a non-compliant resource at deploy time. `@cdklabs/cdk-validator-cfnguard`
 * runs the same rules (cfn-guard and the Control Tower rule files, bundled,
 * offline) at synth, so a governed account's refusal shows up before deploy.
 */

/** The plugin's name, which is also the namespace of its rule ids in an acknowledgement. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/**
 * The guard rules (as the plugin names a violation) that this app can leave
 * unmet on purpose, by the Control Tower control each implements.
 */
export const CONTROL_TOWER_RULES = {
  /** CT.CLOUDWATCH.PR.2: a log group keeps its logs for 365 days or more (or forever). */
  logRetention: 'cloudwatch_log_group_retention_period_check',
  /** CT.CLOUDWATCH.PR.3: a log group is encrypted with a KMS key. */
  logEncryption: 'cloudwatch_log_group_encrypted_check',
  /** CT.LAMBDA.PR.3: a function runs in a customer-managed VPC. */
  lambdaInVpc: 'lambda_inside_vpc_check',
} as const;

export type ControlTowerRule = (typeof CONTROL_TOWER_RULES)[keyof typeof CONTROL_TOWER_RULES];

/**
 * cfn-guard prints one JSON report for all templates at once; the plugin's 1 MB
 * default output buffer kills it on a large fleet (one report entry per resource).
 */
const GUARD_OUTPUT_BUFFER_BYTES = 64 * 1024 * 1024;

/** The validation plugin: every Control Tower rule the package ships, at every synth. */
export function controlTowerChecks(): CfnGuardValidator {
  return new CfnGuardValidator({ maxBuffer: GUARD_OUTPUT_BUFFER_BYTES });
}

/**
 * Records a by-design departure from a Control Tower rule on one resource,
 * with the reason, in the form the CDK's validation report honours
 * (`<plugin>::<rule>` at the construct). A governed account's hook still
 * rejects that resource: the reason says which fleet setting avoids it.
 */
export function acknowledgeControlTower(scope: IConstruct, rule: ControlTowerRule, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CONTROL_TOWER_PLUGIN}::${rule}`, reason });
}

/**
 * CT.KMS.PR.3: only AWS services acting for the key's users may create
 * grants on it. None of the auditor's keys needs a grant (SNS, CloudWatch
 * and CloudWatch Logs call Encrypt/Decrypt/GenerateDataKey directly), so the
 * deny takes nothing away; it stops a principal with broad kms:* in the
 * account from handing the key to someone else by grant.
 */
export function denyGrantsExceptForAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}
