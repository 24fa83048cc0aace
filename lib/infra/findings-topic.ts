import { Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from './control-tower.js';
import type { NotificationsConfig } from '../fleet/fleet-config.js';
import { FINDINGS } from './names.js';

type Severity = NotificationsConfig['email'][number]['minSeverity'];

/** Severities an email subscriber receives for each `minSeverity`. */
export const SEVERITIES_AT_OR_ABOVE: Readonly<Record<Severity, readonly Severity[]>> = {
  warning: ['warning', 'critical'],
  critical: ['critical'],
};

export interface FindingsTopicProps {
  /** Accounts whose auditors may publish (ignored when `organizationId` is given). */
  readonly publisherAccounts: readonly string[];
  /**
   * Let every principal of this AWS Organization publish instead of listed accounts.
   *
   * @default - only `publisherAccounts`
   */
  readonly organizationId?: string;
  /**
   * Email subscribers, each receiving findings of its `minSeverity` or worse.
   *
   * @default - none
   */
  readonly email?: NotificationsConfig['email'];
  /**
   * A Slack channel AWS Chatbot posts every finding to.
   *
   * @default - no Slack channel
   */
  readonly slack?: NotificationsConfig['slack'];
}

/**
 * The central findings topic every environment's auditor publishes to, in the
 * monitoring account. Its name and its key's alias are fixed
 * (`nats-audit-findings`) because publishers in other accounts address them
 * by name. Encrypted with a customer managed key, since only such a key's
 * policy can admit other accounts.
 *
 * Subscribers need nothing from the key: SNS decrypts before it delivers to
 * email and to Chatbot's HTTPS endpoint. Publishers need kms:GenerateDataKey*
 * and kms:Decrypt, which the key policy grants them only through SNS.
 */
export class FindingsTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly slackChannel?: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: FindingsTopicProps) {
    super(scope, id);
    if (!props.organizationId && props.publisherAccounts.length === 0) {
      throw new Error('FindingsTopic: give publisherAccounts or organizationId, or no auditor can publish');
    }
    const stack = Stack.of(this);
    const orgId = props.organizationId;
    const principals = orgId ? [new iam.AnyPrincipal()] : props.publisherAccounts.map((account) => new iam.AccountPrincipal(account));
    const inOrganization = orgId ? { 'aws:PrincipalOrgID': orgId } : {};

    this.key = new kms.Key(this, 'Key', {
      alias: FINDINGS.keyAlias,
      description: 'nats-audit: encrypts the central findings topic',
      enableKeyRotation: true,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AuditorsPublishThroughSns',
        principals,
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { ...inOrganization, 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
      }),
    );

    denyGrantsExceptForAwsServices(this.key);

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: FINDINGS.topicName,
      displayName: 'nats-audit findings',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AuditorsPublish',
        principals,
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: orgId ? { StringEquals: inOrganization } : undefined,
      }),
    );

    for (const { address, minSeverity } of props.email ?? []) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(address, {
          filterPolicy: {
            [FINDINGS.severityAttribute]: sns.SubscriptionFilter.stringFilter({ allowlist: [...SEVERITIES_AT_OR_ABOVE[minSeverity]] }),
          },
        }),
      );
    }

    if (props.slack) {
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: FINDINGS.topicName,
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        // Posting SNS notifications takes no IAM permission; the channel role stays empty and the
        // guardrail denies everything, so no one can run AWS commands from the channel through it.
        role: new iam.Role(this, 'SlackChannelRole', {
          assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
          description: 'nats-audit: AWS Chatbot channel role for findings (notifications only, no permissions)',
        }),
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSDenyAll')],
        userRoleRequired: false,
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }
  }
}
