import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { runEpoch } from '../../../lib/epoch/run-epoch.js';
import { deliverTo } from '../../../lib/notify/deliver.js';
import type { Notification, Notifier, NotifyPolicy } from '../../../lib/notify/types.js';
import type { RawSample } from '../../../lib/domain/raw-sample.js';
import { MemoryStateStore } from '../../../lib/state/state-store.js';
import { T0, healthyReplies, jsz, sample, servers } from '../../support/sample-builder.js';

const MINUTE = 60_000;
const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

/** n1 knows no leader while n2 and n3 follow n2: a warning at first, critical once persistent. */
const disagreement = (startedAt: number): RawSample =>
  sample({
    startedAt,
    replies: {
      n1: { jsz: jsz(n1, { meta: { leader: null } }) },
      n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }) },
      n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
    },
  });
const healthy = (startedAt: number) => sample({ startedAt, replies: healthyReplies() });

/** A notifier that keeps what it was given, or fails while `down` is set. */
class RecordingNotifier implements Notifier {
  readonly batches: Notification[][] = [];
  down = false;
  async publish(notifications: readonly Notification[]): Promise<void> {
    if (this.down) throw new Error('SNS unreachable');
    this.batches.push([...notifications]);
  }
}

/** Epochs a minute apart against one store, delivering to `notifier`. */
function epochs(notifier: Notifier, policy: NotifyPolicy) {
  const store = new MemoryStateStore();
  let epoch = 0;
  return async (make: (startedAt: number) => RawSample) => {
    const startedAt = T0 + epoch++ * MINUTE;
    return runEpoch({
      sample: async () => make(startedAt),
      store,
      clusterKey: 'c1',
      registry: defaultRegistry(),
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      now: () => startedAt + 100,
      deliver: deliverTo(notifier, policy),
    });
  };
}

const sent = (notifier: RecordingNotifier) => notifier.batches.map((b) => b.map((n) => `${n.transition} ${n.check} ${n.severity}`));

describe('deliverTo, across epochs', () => {
  it('announces each change once, reminds on schedule and announces the resolution', async () => {
    // Prepare
    const notifier = new RecordingNotifier();
    const run = epochs(notifier, { reminderMs: 2 * MINUTE, minSeverity: 'warning' });

    // Act: new, persistent, unchanged, reminder due, resolved.
    for (const make of [disagreement, disagreement, disagreement, disagreement, healthy]) await run(make);

    // Assess
    expect(sent(notifier)).toEqual([
      ['new meta_leader_disagreement warning'],
      ['became_persistent meta_leader_disagreement critical'],
      ['reminder meta_leader_disagreement critical'],
      ['resolved meta_leader_disagreement critical'],
    ]);
  });

  it('with minSeverity critical, first tells of the disagreement when it turns critical', async () => {
    const notifier = new RecordingNotifier();
    const run = epochs(notifier, { reminderMs: 0, minSeverity: 'critical' });
    for (const make of [disagreement, disagreement, disagreement, healthy]) await run(make);
    expect(sent(notifier)).toEqual([['severity_raised meta_leader_disagreement critical'], ['resolved meta_leader_disagreement critical']]);
  });

  it('a failed publish fails the epoch and saves nothing, so the next epoch sends the same change again', async () => {
    // Prepare
    const notifier = new RecordingNotifier();
    const run = epochs(notifier, { reminderMs: 0, minSeverity: 'warning' });
    notifier.down = true;

    // Act
    await expect(run(disagreement)).rejects.toThrow('SNS unreachable');
    notifier.down = false;
    const retried = await run(disagreement);

    // Assess
    expect(retried.report.epoch.id).toBe(1);
    expect(sent(notifier)).toEqual([['new meta_leader_disagreement warning']]);
  });
});
