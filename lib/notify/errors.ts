/**
 * Thrown by a notifier when not every notification was accepted. The message
 * names counts and error codes only: never a message body (which could quote
 * server replies) nor anything from the request.
 */
export class NotificationPublishError extends Error {
  override readonly name = 'NotificationPublishError';
  constructor(
    message: string,
    /** Notifications not accepted (for a failed request, the whole batch). */
    readonly failed: number,
    /** Notifications the call was asked to publish. */
    readonly total: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
