import { describe, expect, it } from 'vitest';
import { chatbotMessage } from '../../../lib/notify/chatbot-message.js';
import { emailBody, emailSubject } from '../../../lib/notify/email-message.js';
import { SNS_LIMITS, chunkMessages, messageBytes, snsMessage, type SnsMessage } from '../../../lib/notify/sns-message.js';
import type { Notification } from '../../../lib/notify/types.js';
import { finding, notificationOf, splitBrain } from './notify-fixtures.js';

/** A message of about `bytes` bytes, for batching. */
const sized = (bytes: number): SnsMessage => ({
  Subject: 's',
  Message: 'm'.repeat(bytes),
  MessageStructure: 'json',
  MessageAttributes: {
    severity: { DataType: 'String', StringValue: 'critical' },
    check: { DataType: 'String', StringValue: 'c' },
    cluster: { DataType: 'String', StringValue: 'k' },
    transition: { DataType: 'String', StringValue: 'new' },
  },
});

describe('snsMessage', () => {
  it('one publish: Chatbot JSON as default, plain text for email, the email subject, and filterable attributes', () => {
    // Prepare
    const n = notificationOf(splitBrain);

    // Act
    const m = snsMessage(n);

    // Assess
    expect(m.MessageStructure).toBe('json');
    expect(m.Subject).toBe(emailSubject(n));
    const perProtocol = JSON.parse(m.Message) as Record<string, unknown>;
    expect(Object.keys(perProtocol)).toEqual(['default', 'email']);
    expect(typeof perProtocol.default).toBe('string');
    expect(JSON.parse(perProtocol.default as string)).toEqual(chatbotMessage(n));
    expect(perProtocol.email).toBe(emailBody(n));
    expect(m.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      check: { DataType: 'String', StringValue: 'meta_leader_disagreement' },
      cluster: { DataType: 'String', StringValue: 'prod-east' },
      transition: { DataType: 'String', StringValue: 'new' },
    });
  });

  it('never sends an empty attribute value, which SNS refuses', () => {
    const m = snsMessage({ ...notificationOf(splitBrain), cluster: '\u0000 ' });
    expect(m.MessageAttributes.cluster).toEqual({ DataType: 'String', StringValue: '-' });
  });

  it('stays far below the 256 KiB SNS limit even for a hostile finding (escaping, multi-byte text, huge evidence)', () => {
    // Prepare: quotes and backslashes double twice when JSON is nested; 3-byte characters triple.
    const nasty = '"\\\n€'.repeat(5_000);
    const f = finding({
      check: 'meta_leader_disagreement',
      subject: nasty,
      severity: 'critical',
      summary: nasty,
      details: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${nasty.slice(0, 100)}${i}`, { [nasty]: nasty }])),
      remediation: Array.from({ length: 100 }, () => nasty),
    });
    const n: Notification = {
      ...notificationOf(f, Array.from({ length: 50 }, () => nasty)),
      cluster: nasty,
      servers: Array.from({ length: 1_000 }, () => ({ name: nasty, cluster: nasty, version: nasty, metaLeader: nasty })),
    };

    // Act
    const bytes = messageBytes(snsMessage(n));

    // Assess
    expect(bytes).toBeLessThan(SNS_LIMITS.batchBytes / 2);
  });
});

describe('messageBytes', () => {
  it('counts UTF-8 bytes of body, subject and every part of every attribute', () => {
    const m = { ...sized(0), Message: '€', Subject: 'é' };
    // 3 + 2, then names + "String" + values: severity/critical, check/c, cluster/k, transition/new.
    expect(messageBytes(m)).toBe(5 + (8 + 6 + 8) + (5 + 6 + 1) + (7 + 6 + 1) + (10 + 6 + 3));
  });
});

describe('chunkMessages', () => {
  it('batches at most 10 messages, in order', () => {
    const messages = Array.from({ length: 25 }, (_, i) => ({ ...sized(10), Subject: `s${i}` }));
    const batches = chunkMessages(messages);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat().map((m) => m.Subject)).toEqual(messages.map((m) => m.Subject));
  });

  it('starts a new batch before the total would pass 256 KiB', () => {
    // Prepare: three ~100 KiB messages fit two to a batch at most.
    const messages = [sized(100_000), sized(100_000), sized(100_000), sized(10)];

    // Act
    const batches = chunkMessages(messages);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([2, 2]);
    for (const batch of batches) expect(batch.reduce((sum, m) => sum + messageBytes(m), 0)).toBeLessThanOrEqual(SNS_LIMITS.batchBytes);
  });

  it('gives a message over the limit a batch of its own, so SNS refuses only it', () => {
    const batches = chunkMessages([sized(10), sized(300_000), sized(10)]);
    expect(batches.map((b) => b.map((m) => m.Message.length))).toEqual([[10], [300_000], [10]]);
  });

  it('returns no batch for no message', () => {
    expect(chunkMessages([])).toEqual([]);
  });
});
