import type { DeliveryResult, EpochDelivery } from '../epoch/run-epoch.js';
import { notifiedFindings, selectNotifications } from './select-notifications.js';
import type { Notifier, NotifyPolicy } from './types.js';

/**
 * The `deliver` step of an epoch: select, publish, and report what was sent
 * so its `notifiedAt` is saved. A publish failure propagates, so the epoch's
 * state is not saved and the same notifications are selected next time.
 */
export function deliverTo(notifier: Notifier, policy: NotifyPolicy): (delivery: EpochDelivery) => Promise<DeliveryResult> {
  return async (delivery) => {
    const notifications = selectNotifications(delivery, policy);
    if (notifications.length > 0) await notifier.publish(notifications);
    return { notified: notifiedFindings(notifications) };
  };
}
