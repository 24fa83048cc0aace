import { PublishBatchCommand, type PublishBatchCommandOutput, type SNSClient } from '@aws-sdk/client-sns';
import { NotificationPublishError } from './errors.js';
import { chunkMessages, snsMessage } from './sns-message.js';
import type { Notification, Notifier } from './types.js';
import { joinBounded } from '../util/bounded.js';

export interface SnsNotifierOptions {
  /** Configured by the caller (region, retries, timeouts); never created here. */
  readonly client: SNSClient;
  readonly topicArn: string;
}

/** Error codes named in a failure message; more would only repeat. */
const MAX_CODES = 5;

/**
 * Publishes each notification as one SNS message (see {@link snsMessage}),
 * in PublishBatch requests sent one after another. Stops at the first
 * failure: everything is selected again next epoch, so sending the rest now
 * would only add duplicates.
 */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsNotifierOptions) {
    if (!/^arn:[^:]+:sns:[^:]*:[^:]*:.+/.test(options.topicArn)) {
      throw new TypeError(`topicArn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), got "${options.topicArn}"`);
    }
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async publish(notifications: readonly Notification[]): Promise<void> {
    const total = notifications.length;
    let sent = 0;
    for (const batch of chunkMessages(notifications.map(snsMessage))) {
      const entries = batch.map((message, i) => ({ Id: `n${i}`, ...message }));
      let output: PublishBatchCommandOutput;
      try {
        output = await this.client.send(new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: entries }));
      } catch (error) {
        throw new NotificationPublishError(
          `${total - sent} of ${total} notifications not published to ${this.topicArn}: PublishBatch failed (${errorName(error)})${sentNote(sent)}`,
          total - sent,
          total,
          { cause: error },
        );
      }
      const failed = output.Failed ?? [];
      const accepted = output.Successful?.length ?? 0;
      if (failed.length > 0 || accepted !== entries.length) {
        const refused = entries.length - accepted;
        const notAttempted = total - sent - entries.length;
        const codes = joinBounded([...new Set(failed.map((f) => f.Code ?? 'unknown'))], MAX_CODES, ', ') || 'no error code';
        throw new NotificationPublishError(
          `${refused + notAttempted} of ${total} notifications not published to ${this.topicArn}: ${refused} refused (${codes})` +
            `${notAttempted > 0 ? `, ${notAttempted} not attempted` : ''}${sentNote(sent + accepted)}`,
          refused + notAttempted,
          total,
        );
      }
      sent += entries.length;
    }
  }
}

function sentNote(sent: number): string {
  return sent > 0 ? `; ${sent} already published will be sent again next epoch` : '';
}

/** The SDK error's name (e.g. `NotFoundException`), not its message: messages may quote the request. */
function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code !== error.name ? `${error.name}, ${code}` : error.name;
  }
  return 'unknown error';
}
