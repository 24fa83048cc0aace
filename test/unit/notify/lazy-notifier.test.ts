import { describe, expect, it } from 'vitest';
import { lazyNotifier } from '../../../lib/notify/lazy-notifier.js';
import type { Notification, Notifier } from '../../../lib/notify/types.js';
import { notificationOf, splitBrain } from './notify-fixtures.js';

const notice = notificationOf(splitBrain);

/** A loader that counts its calls and hands out a notifier keeping what it was given. */
function countingLoader(failures = 0) {
  const published: (readonly Notification[])[] = [];
  let calls = 0;
  const load = async (): Promise<Notifier> => {
    calls++;
    if (calls <= failures) throw new Error('chunk missing');
    return { publish: async (n) => void published.push(n) };
  };
  return { load, published, calls: () => calls };
}

describe('lazyNotifier', () => {
  it('loads nothing while there is nothing to publish', async () => {
    // Prepare
    const loader = countingLoader();
    const notifier = lazyNotifier(loader.load);

    // Act
    await notifier.publish([]);

    // Assess
    expect(loader.calls()).toBe(0);
  });

  it('loads the real notifier once, at the first publish, and hands it every batch', async () => {
    // Prepare
    const loader = countingLoader();
    const notifier = lazyNotifier(loader.load);

    // Act
    await Promise.all([notifier.publish([notice]), notifier.publish([notice, notice])]);
    await notifier.publish([notice]);

    // Assess
    expect(loader.calls()).toBe(1);
    expect(loader.published.map((b) => b.length)).toEqual([1, 2, 1]);
  });

  it('fails the publish when loading fails, and loads again at the next one', async () => {
    // Prepare
    const loader = countingLoader(1);
    const notifier = lazyNotifier(loader.load);

    // Act
    const first = notifier.publish([notice]);

    // Assess
    await expect(first).rejects.toThrow('chunk missing');
    await notifier.publish([notice]);
    expect(loader.calls()).toBe(2);
    expect(loader.published).toHaveLength(1);
  });
});
