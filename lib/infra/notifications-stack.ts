import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { NotificationsConfig } from '../fleet/fleet-config.js';
import { FindingsTopic } from './findings-topic.js';

export interface NatsAuditNotificationsStackProps extends Omit<StackProps, 'env'> {
  /** The monitoring account and region, who may publish and who is told. */
  readonly notifications: NotificationsConfig;
}

/** The central findings topic, its key and its subscribers, in the monitoring account. */
export class NatsAuditNotificationsStack extends Stack {
  readonly findings: FindingsTopic;

  constructor(scope: Construct, id: string, props: NatsAuditNotificationsStackProps) {
    const { notifications, ...stackProps } = props;
    super(scope, id, {
      description: 'nats-audit central findings topic and its subscribers',
      ...stackProps,
      env: { account: notifications.account, region: notifications.region },
    });
    this.findings = new FindingsTopic(this, 'Findings', {
      publisherAccounts: notifications.publisherAccounts,
      organizationId: notifications.organizationId,
      email: notifications.email,
      slack: notifications.slack,
    });
  }
}
