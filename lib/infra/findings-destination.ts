import { FINDINGS } from './names.js';

/** Where an environment's auditor publishes findings: the central topic and the key that encrypts it. */
export interface FindingsDestination {
  /** Account of the notifications stack. */
  readonly account: string;
  /** Region of the notifications stack. */
  readonly region: string;
  /** `arn:<partition>:sns:<region>:<account>:nats-audit-findings`. */
  readonly topicArn: string;
  /**
   * Every key in the notifications account and region (`key/*`): the key's id
   * is only known after that stack deploys, so publishers name it by alias
   * through the `kms:ResourceAliases` condition instead.
   */
  readonly keyArns: string;
  /** The alias the findings key carries. */
  readonly keyAlias: string;
}

/**
 * The central topic and key, addressed by the names the notifications stack
 * gives them: environment stacks live in other accounts, so no reference or
 * lookup can carry the values across.
 */
export function findingsDestination(partition: string, notifications: { readonly account: string; readonly region: string }): FindingsDestination {
  const { account, region } = notifications;
  return {
    account,
    region,
    topicArn: `arn:${partition}:sns:${region}:${account}:${FINDINGS.topicName}`,
    keyArns: `arn:${partition}:kms:${region}:${account}:key/*`,
    keyAlias: FINDINGS.keyAlias,
  };
}
