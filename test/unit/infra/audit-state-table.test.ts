import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { AuditStateTable } from '../../../lib/infra/audit-state-table.js';
import { STATE_TABLE } from '../../../lib/state/dynamodb-table.js';
import { nagFindings, testStack } from './infra-fixtures.js';

// The first synthesis in a worker loads most of aws-cdk-lib and takes several seconds.
describe('AuditStateTable', { timeout: 60_000 }, () => {
  it('keys items by pk and sk as the state stores write them, with TTL on expiresAt', () => {
    // Prepare
    const stack = testStack();

    // Act
    new AuditStateTable(stack, 'State');

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: Match.absent(),
    });
    expect([STATE_TABLE.partitionKey.name, STATE_TABLE.sortKey.name, STATE_TABLE.ttlAttribute]).toEqual(['pk', 'sk', 'expiresAt']);
  });

  it('bills on demand, recovers to a point in time, is encrypted with the AWS managed key and is retained', () => {
    // Prepare
    const stack = testStack();

    // Act
    new AuditStateTable(stack, 'State');

    // Assess
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [{ Region: 'eu-west-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
      }),
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('takes a removal policy', () => {
    // Prepare
    const stack = testStack();

    // Act
    new AuditStateTable(stack, 'State', { removalPolicy: RemovalPolicy.DESTROY });

    // Assess
    Template.fromStack(stack).hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });

  it('encrypts with a customer managed key when given one, and grants the auditor that key too', () => {
    // Prepare
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const role = new iam.Role(stack, 'Auditor', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // Act
    new AuditStateTable(stack, 'State', { encryptionKey: key }).grantAuditAccess(role);

    // Assess
    const template = Template.fromStack(stack);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']), Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
        ]),
      },
    });
  });
});
