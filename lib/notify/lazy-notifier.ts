import type { Notification, Notifier } from './types.js';

/**
 * A notifier built on first use: `load` runs when there is first something
 * to publish, so an epoch that publishes nothing (most of them) never loads
 * the real one. The Lambda uses it to keep the SNS client out of its cold
 * start. A failed load is tried again at the next publish, not remembered.
 */
export function lazyNotifier(load: () => Promise<Notifier>): Notifier {
  let loading: Promise<Notifier> | undefined;
  return {
    async publish(notifications: readonly Notification[]): Promise<void> {
      if (notifications.length === 0) return;
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      await (await loading).publish(notifications);
    },
  };
}
