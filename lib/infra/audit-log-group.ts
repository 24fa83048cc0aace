import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONTROL_TOWER_RULES, acknowledgeControlTower, denyGrantsExceptForAwsServices } from './control-tower.js';

/** What Control Tower's CT.CLOUDWATCH.PR.2 asks of a log group (or no expiry at all). */
const GOVERNED_MIN_RETENTION_DAYS = 365;

export interface AuditLogGroupProps {
  /** The fleet environment, named in the reasons for a departure from Control Tower's rules. */
  readonly environmentName: string;
  /**
   * How long the log group keeps the auditor's lines.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly retention?: logs.RetentionDays;
  /**
   * Encrypt the log group with a customer managed key created here (one per
   * environment, $1 a month), as Control Tower's CT.CLOUDWATCH.PR.3 asks.
   *
   * @default false - CloudWatch Logs' own encryption
   */
  readonly encrypted?: boolean;
}

/**
 * The auditor's log group: what the dashboard queries and what an operator
 * reads after an incident. Retention and encryption come from the fleet file;
 * where they depart from Control Tower's rules the departure is recorded on
 * the log group with the setting that avoids it.
 */
export class AuditLogGroup extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: AuditLogGroupProps) {
    super(scope, id);
    const retention = props.retention ?? logs.RetentionDays.ONE_MONTH;
    const at = `the fleet file's environments.${props.environmentName}.logs`;
    if (props.encrypted) this.key = this.logsKey();
    // "Default" keeps the log group's logical id what it was before this construct wrapped it, so an update does not replace it.
    this.logGroup = new logs.LogGroup(this, 'Default', {
      retention,
      encryptionKey: this.key,
    });
    if (retention !== logs.RetentionDays.INFINITE && retention < GOVERNED_MIN_RETENTION_DAYS) {
      acknowledgeControlTower(
        this.logGroup,
        CONTROL_TOWER_RULES.logRetention,
        `Keeps the auditor's logs ${retention} days (${at}.retentionDays, 30 by default) to hold their cost down; where Control Tower's CT.CLOUDWATCH.PR.2 is enforced, set it to 365 or more.`,
      );
    }
    if (!this.key) {
      acknowledgeControlTower(
        this.logGroup,
        CONTROL_TOWER_RULES.logEncryption,
        `CloudWatch Logs encrypts the group with its own keys and the lines carry no credentials (every secret value is redacted); where Control Tower's CT.CLOUDWATCH.PR.3 is enforced, set ${at}.encrypted to true for a customer managed key.`,
      );
    }
  }

  /** A key CloudWatch Logs may use for this account's log groups in this region, and nothing else may grant away. */
  private logsKey(): kms.Key {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'Key', {
      description: "nats-audit: encrypts the auditor's log group",
      enableKeyRotation: true,
    });
    // As AWS documents it for log group encryption. The condition names log groups by
    // wildcard: the group's own ARN would make key and group depend on each other.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsUse',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );
    denyGrantsExceptForAwsServices(key);
    return key;
  }
}
