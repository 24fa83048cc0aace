import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../lib/notify/sns-notifier.js';

describe('SnsNotifier', () => {
  it('refuses anything but an SNS topic ARN, at construction', () => {
    const client = new SNSClient({ region: 'us-east-1' });
    expect(() => new SnsNotifier({ client, topicArn: 'nats-audit-alerts' })).toThrow(
      'topicArn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), got "nats-audit-alerts"',
    );
    expect(() => new SnsNotifier({ client, topicArn: 'arn:aws:sqs:us-east-1:123456789012:q' })).toThrow(TypeError);
    expect(() => new SnsNotifier({ client, topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' })).not.toThrow();
    client.destroy();
  });
});
