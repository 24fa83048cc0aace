import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { chatbotMessage } from './chatbot-message.js';
import { emailBody, emailSubject } from './email-message.js';
import { clip } from './text.js';
import type { Notification } from './types.js';

export const SNS_LIMITS = {
  /** Entries per PublishBatch request. */
  batchEntries: 10,
  /** Bodies plus attributes of one PublishBatch request (256 KiB on a default topic). */
  batchBytes: 262_144,
  /** Characters per attribute value: filter policies match on these, so keep them short and exact. */
  attributeValue: 256,
} as const;

/** Attribute names subscriptions can filter on, e.g. `{"severity": ["critical"]}`. */
export const ATTRIBUTE_NAMES = ['severity', 'check', 'cluster', 'transition'] as const;

/** One notification as SNS Publish parameters. */
export interface SnsMessage {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageStructure: 'json';
  readonly MessageAttributes: Record<(typeof ATTRIBUTE_NAMES)[number], MessageAttributeValue>;
}

/** What each protocol's subscribers receive under `MessageStructure: 'json'`. */
export interface ProtocolMessages {
  /** AWS Chatbot (an https subscriber), SQS, email-json and every protocol without its own key: the Chatbot event. */
  readonly default: string;
  /** Email subscribers: plain text. */
  readonly email: string;
}

/**
 * One message per notification. With `MessageStructure: 'json'`, SNS gives
 * each protocol its own key of `Message` and `default` to the rest, so one
 * publish reaches mail readers as text and Chatbot as its JSON event.
 */
export function snsMessage(n: Notification): SnsMessage {
  const perProtocol: ProtocolMessages = { default: JSON.stringify(chatbotMessage(n)), email: emailBody(n) };
  return {
    Subject: emailSubject(n),
    Message: JSON.stringify(perProtocol),
    MessageStructure: 'json',
    MessageAttributes: {
      severity: attribute(n.severity),
      check: attribute(n.check),
      cluster: attribute(n.cluster),
      transition: attribute(n.transition),
    },
  };
}

/** Bytes a message counts for against SNS size limits: body, subject and every part of every attribute. */
export function messageBytes(m: SnsMessage): number {
  let bytes = Buffer.byteLength(m.Message, 'utf8') + Buffer.byteLength(m.Subject, 'utf8');
  for (const [name, value] of Object.entries(m.MessageAttributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8') + Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return bytes;
}

/**
 * Consecutive batches of at most `batchEntries` messages and `batchBytes`
 * bytes, order kept. A message alone over the byte limit gets a batch of its
 * own, for SNS to refuse by name rather than sink its neighbours.
 */
export function chunkMessages<T extends SnsMessage>(
  messages: readonly T[],
  limits: { batchEntries: number; batchBytes: number } = SNS_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (current.length > 0 && (current.length >= limits.batchEntries || bytes + size > limits.batchBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function attribute(value: string): MessageAttributeValue {
  // SNS refuses empty attribute values; a placeholder keeps the message deliverable.
  return { DataType: 'String', StringValue: clip(value, SNS_LIMITS.attributeValue) || '-' };
}
