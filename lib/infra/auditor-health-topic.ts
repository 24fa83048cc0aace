import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from './control-tower.js';

export interface AuditorHealthTopicProps {
  /**
   * Addresses mailed when an alarm about the auditor itself changes state.
   *
   * @default - none: subscribe by hand or read the alarms in the console
   */
  readonly emails?: readonly string[];
}

/**
 * Where the auditor's own alarms go (errors, dead letters, missing
 * heartbeats): per environment, apart from the findings about the clusters.
 * Encrypted with its own key because CloudWatch cannot publish to a topic
 * under the AWS managed `aws/sns` key, whose policy cannot grant it.
 */
export class AuditorHealthTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AuditorHealthTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    this.key = new kms.Key(this, 'Key', {
      description: 'nats-audit: encrypts the auditor health topic',
      enableKeyRotation: true,
    });
    // Unconditioned, as AWS documents it for alarms on encrypted topics: a condition CloudWatch's
    // request does not meet (kms:CallerAccount does not) drops every alarm without a trace.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatch],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );

    denyGrantsExceptForAwsServices(this.key);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'nats-audit auditor health',
      masterKey: this.key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which is what let CloudWatch publish.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    for (const address of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
  }
}
