import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatbotMessage } from '../../lib/notify/chatbot-message.js';
import { emailBody, emailSubject } from '../../lib/notify/email-message.js';
import { NotificationPublishError } from '../../lib/notify/errors.js';
import { selectNotifications } from '../../lib/notify/select-notifications.js';
import { snsMessage } from '../../lib/notify/sns-message.js';
import { SnsNotifier } from '../../lib/notify/sns-notifier.js';
import type { Notification } from '../../lib/notify/types.js';
import { startFauxqs, unreachableSns, type Fauxqs, type ReceivedMessage, type SubscribedQueue } from '../support/fauxqs.js';
import { WARNING_ONLY, delivery, finding, notificationOf, splitBrain } from '../unit/notify/notify-fixtures.js';


const clockSkew = finding({ check: 'clock_skew', subject: 'server:n3', severity: 'warning', summary: "n3's clock is 900 ms behind" });

/** A new critical, a new warning and a resolved critical, as one epoch would select them. */
function epochNotifications(): Notification[] {
  return selectNotifications(
    delivery({
      findings: [splitBrain, clockSkew],
      resolved: [{ check: 'route_missing', subject: 'server:n2', severity: 'critical', peakSeverity: 'critical', summary: 'n2 has no route to n3', firstSeen: 0, resolvedAt: 1, epochs: 4 }],
    }),
    WARNING_ONLY,
  );
}

const byCheck = (a: ReceivedMessage, b: ReceivedMessage) => (a.attributes.check ?? '').localeCompare(b.attributes.check ?? '');

/** The `check` attribute of a message delivered in the SNS envelope (no raw delivery). */
const envelopeCheck = (m: ReceivedMessage): string =>
  (JSON.parse(m.body) as { MessageAttributes: Record<string, { Value: string }> }).MessageAttributes.check?.Value ?? '';

/** Counts requests a client sends: proof of batching without replacing any part of SNS. */
function countRequests(client: SNSClient): { readonly count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.count++;
      return next(args);
    },
    { step: 'initialize', name: `countRequests${Math.random()}` },
  );
  return counter;
}

describe('SnsNotifier against an SNS/SQS emulator (fauxqs)', () => {
  let fauxqs: Fauxqs;
  let topicArn: string;
  let criticalOnly: SubscribedQueue;
  let everything: SubscribedQueue;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    topicArn = await fauxqs.createTopic('nats-audit');
    // Like an email subscription for critical only; raw delivery puts the SNS attributes on the SQS message.
    criticalOnly = await fauxqs.subscribeQueue(topicArn, { severity: ['critical'] }, { raw: true });
    // Like Chatbot: everything, in the SNS envelope.
    everything = await fauxqs.subscribeQueue(topicArn);
  });

  afterAll(async () => {
    await fauxqs?.close();
  });

  it('a subscription filtering severity=critical receives only the critical notifications, with their attributes', async () => {
    // Prepare
    const notifications = epochNotifications();

    // Act
    await new SnsNotifier({ client: fauxqs.sns, topicArn }).publish(notifications);
    const critical = (await criticalOnly.drain()).sort(byCheck);
    const all = await everything.drain();

    // Assess
    expect(critical.map((m) => m.attributes)).toEqual([
      { severity: 'critical', check: 'meta_leader_disagreement', cluster: 'prod-east', transition: 'new' },
      { severity: 'critical', check: 'route_missing', cluster: 'prod-east', transition: 'resolved' },
    ]);
    expect(all.map(envelopeCheck).sort()).toEqual([
      'clock_skew',
      'meta_leader_disagreement',
      'route_missing',
    ]);
  });

  it('delivers the per-protocol message: Chatbot JSON as default, the text body for email, the subject in the envelope', async () => {
    // Prepare
    const n = notificationOf(splitBrain);

    // Act
    await new SnsNotifier({ client: fauxqs.sns, topicArn }).publish([n]);
    const [raw] = await criticalOnly.drain();
    const [enveloped] = await everything.drain();

    // Assess: fauxqs ignores MessageStructure and delivers the whole JSON; real SNS would deliver
    // `default` to SQS and Chatbot and `email` to mail subscribers, which is what is checked inside it.
    expect(raw?.body).toBe(snsMessage(n).Message);
    const perProtocol = JSON.parse(raw!.body) as { default: string; email: string };
    expect(JSON.parse(perProtocol.default)).toEqual(chatbotMessage(n));
    expect(JSON.parse(perProtocol.default)).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(perProtocol.email).toBe(emailBody(n));
    expect(perProtocol.email).toContain('\n  nats server raft step-down --cluster c1\n');
    const envelope = JSON.parse(enveloped!.body) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn,
      Subject: emailSubject(n),
      Message: snsMessage(n).Message,
      MessageAttributes: {
        severity: { Type: 'String', Value: 'critical' },
        check: { Type: 'String', Value: 'meta_leader_disagreement' },
        cluster: { Type: 'String', Value: 'prod-east' },
        transition: { Type: 'String', Value: 'new' },
      },
    });
  });

  it('publishes 23 notifications in batches of at most 10, all delivered', async () => {
    // Prepare
    const n = notificationOf(splitBrain);
    const notifications = Array.from({ length: 23 }, (_, i) => ({ ...n, subject: `meta:domain-${i}` }));
    const client = fauxqs.newSnsClient();
    const requests = countRequests(client);

    // Act
    await new SnsNotifier({ client, topicArn }).publish(notifications);
    const received = await everything.drain();
    await criticalOnly.drain();

    // Assess
    expect(requests.count).toBe(3);
    expect(received).toHaveLength(23);
    client.destroy();
  });

  it('entries refused by SNS make publish throw, naming how many failed and why, never what they said', async () => {
    // Prepare: a FIFO topic refuses every entry without a MessageGroupId, a real per-entry failure.
    const fifoArn = await fauxqs.createTopic('nats-audit.fifo', { FifoTopic: 'true' });
    const n = notificationOf(splitBrain);
    const notifications = Array.from({ length: 12 }, (_, i) => ({ ...n, subject: `meta:domain-${i}` }));

    // Act
    const error = await new SnsNotifier({ client: fauxqs.sns, topicArn: fifoArn }).publish(notifications).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(NotificationPublishError);
    const failure = error as NotificationPublishError;
    expect(failure.message).toBe(`12 of 12 notifications not published to ${fifoArn}: 10 refused (InvalidParameter), 2 not attempted`);
    expect(failure).toMatchObject({ failed: 12, total: 12 });
    expect(failure.message).not.toContain(n.summary);
  });

  it('a topic that does not exist makes publish throw, with the SDK error as cause', async () => {
    const gone = `${topicArn}-deleted`;
    const error = await new SnsNotifier({ client: fauxqs.sns, topicArn: gone }).publish(epochNotifications()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationPublishError);
    expect((error as Error).message).toBe(`3 of 3 notifications not published to ${gone}: PublishBatch failed (NotFoundException)`);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('an unreachable SNS makes publish throw after its one attempt; publishing nothing sends nothing', async () => {
    // Prepare
    const client = await unreachableSns();
    const notifier = new SnsNotifier({ client, topicArn });

    // Act
    const error = await notifier.publish(epochNotifications()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(NotificationPublishError);
    expect((error as Error).message).toMatch(
      new RegExp(`^3 of 3 notifications not published to ${topicArn}: PublishBatch failed \\(.*ECONNREFUSED.*\\)$`),
    );
    await expect(notifier.publish([])).resolves.toBeUndefined();
    client.destroy();
  });
});
