import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { STATE_TABLE } from '../state/dynamodb-table.js';

export interface AuditStateTableProps {
  /**
   * Customer managed key to encrypt the table with.
   *
   * @default - the AWS managed key `aws/dynamodb`: encrypted at rest, key use
   *   logged in CloudTrail, no key policy to keep and no KMS grant the function
   *   needs. Give a key when a policy must name who may read the state.
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the table when the stack deletes it.
   *
   * @default RemovalPolicy.RETAIN - the state holds when each finding was
   *   first seen and which critical was last re-sent; losing it re-pages.
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The auditor's state: one partition per cluster (state, lease, run records),
 * keys and TTL as lib/state/dynamodb-table.ts defines them. On-demand billing,
 * since a run every minute or so per cluster is far below any provisioned
 * minimum worth paying for; point-in-time recovery on.
 */
export class AuditStateTable extends Construct {
  readonly table: dynamodb.TableV2;
  /** The table's actions the auditor uses, and nothing else. */
  static readonly AUDITOR_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'] as const;

  constructor(scope: Construct, id: string, props: AuditStateTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryption = props.encryptionKey
      ? dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey)
      : dynamodb.TableEncryptionV2.awsManagedKey();

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: STATE_TABLE.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey.name, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE.ttlAttribute,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption,
      removalPolicy,
    });
  }

  /** Lets `grantee` read and write audit state: the auditor's actions on this table (no index, no scan) and the key if one was given. */
  grantAuditAccess(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...AuditStateTable.AUDITOR_ACTIONS],
      resourceArns: [this.table.tableArn],
    });
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    return grant;
  }
}
