import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { runEpoch, type SampleWants } from '../../../lib/epoch/run-epoch.js';
import { loadDetailDue } from '../../../lib/load/detail-cadence.js';
import { MemoryStateStore } from '../../../lib/state/state-store.js';
import { healthyReplies, sample } from '../../support/sample-builder.js';

describe('load detail cadence', () => {
  it('is due with nothing remembered, then once the newest counters are `every` epochs old', () => {
    expect(loadDetailDue(undefined, 1, 5)).toBe(true);
    expect(loadDetailDue({ epoch: 3, s: [] }, 4, 5)).toBe(true);
    expect(loadDetailDue({ epoch: 3, s: [1] }, 7, 5)).toBe(false);
    expect(loadDetailDue({ epoch: 3, s: [1] }, 8, 5)).toBe(true);
  });

  it('the epoch asks its sampler for every server\'s detail only when due, and neither asks nor remembers counters while the load check is skipped', async () => {
    // Prepare: a sample with replicated streams and counters, so every epoch remembers them
    const store = new MemoryStateStore();
    const asked: (SampleWants | undefined)[] = [];
    const epoch = (skip: string[] = []) =>
      runEpoch({
        sample: async (wants) => {
          asked.push(wants);
          return sample({ replies: healthyReplies({ streams: { n1: [{ name: 'A', leader: 'n1', replicas: ['n2', 'n3'] }] } }) });
        },
        store,
        clusterKey: 'c1',
        registry: defaultRegistry(),
        checks: { skip: new Set(skip), thresholds: {} },
        persistence: { epochs: 2, minMs: 0 },
        loadDetailEvery: 2,
      });

    // Act
    for (let i = 0; i < 4; i++) await epoch();
    await epoch(['leader_load_concentration']);

    // Assess: these servers send detail every epoch, so the counters are never 2 epochs old: only the first epoch, with nothing remembered, asks
    expect(asked.slice(0, 4).map((w) => w?.everyServerDetail)).toEqual([true, false, false, false]);
    expect(asked[4]).toBeUndefined();
    expect((await store.load('c1')).state.load).toBeUndefined();
  });
});
