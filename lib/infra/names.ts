/**
 * Names the CDK app fixes and other code relies on. No CDK import here, so
 * the handler could import this file without pulling aws-cdk-lib into its
 * bundle. (The function's environment variable names live with the code that
 * reads them, lib/serverless/lambda-environment.ts.)
 */

/** The central findings topic and its key, named so environment stacks in other accounts can address them without a lookup. */
export const FINDINGS = {
  topicName: 'nats-audit-findings',
  keyAlias: 'alias/nats-audit-findings',
  /** Message attribute email subscriptions filter on (lib/notify/sns-message.ts sets it). */
  severityAttribute: 'severity',
} as const;
