import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { runEpoch, type SampleWants } from '../../../lib/epoch/run-epoch.js';
import { loadDetailDue } from '../../../lib/load/detail-cadence.js';
import { MemoryStateStore } from '../../../lib/state/state-store.js';
import { T0, healthyReplies, jsz, routez, sample, servers, type StreamSpec } from '../../support/sample-builder.js';

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

  it('where servers count their own leaders, a write load judged on detail epochs stays open through the epochs between them', async () => {
    // Prepare: 2.15.1 servers with balanced leader counts (3 each, so none is asked for detail between
    // load epochs); n1's three streams take 10,000 messages a minute each, the others' none.
    const v = servers(['n1', 'n2', 'n3'], { version: '2.15.1' });
    const MINUTE = 60_000;
    const store = new MemoryStateStore();
    let n = 0;
    const streamsOf = (leader: 'n1' | 'n2' | 'n3', epoch: number): StreamSpec[] =>
      [1, 2, 3].map((i) => ({
        name: `${leader.toUpperCase()}_S${i}`,
        leader,
        replicas: (['n1', 'n2', 'n3'] as const).filter((r) => r !== leader),
        lastSeq: leader === 'n1' ? 10_000 * (epoch + 1) : 5,
      }));
    const epoch = () => {
      const i = n++;
      return runEpoch({
        sample: async (wants) => {
          const replies = Object.fromEntries(
            (['n1', 'n2', 'n3'] as const).map((name) => {
              const others = (['n1', 'n2', 'n3'] as const).filter((o) => o !== name).map((o) => v[o]);
              const detail = wants?.everyServerDetail === true;
              const body = jsz(v[name], {
                now: T0 + i * MINUTE,
                meta: { leader: 'n1', clusterSize: 3, ...(name === 'n1' ? { replicas: ['n2', 'n3'] } : {}) },
                streamsLeader: 3,
                hosted: { streams: 9, consumers: 0 },
                ...(detail ? { streams: streamsOf(name, i) } : { detail: false }),
              });
              return [name, { jsz: body, routez: routez(v[name], others) }];
            }),
          );
          return sample({ startedAt: T0 + i * MINUTE, replies });
        },
        store,
        clusterKey: 'c1',
        registry: defaultRegistry(),
        checks: { skip: new Set(), thresholds: {} },
        persistence: { epochs: 2, minMs: 0 },
        loadDetailEvery: 2,
        now: () => T0 + i * MINUTE + 100,
      });
    };

    // Act: detail on epochs 1, 3 and 5 (rates from 3 and 5), none on 2 and 4.
    const reports = [];
    for (let k = 0; k < 5; k++) reports.push((await epoch()).report);

    // Assess: judged on 3 (new), held on 4 (neither resolved nor aged), persistent on 5.
    const load = reports.map((r) => r.findings.find((f) => f.check === 'leader_load_concentration')?.lifecycle);
    expect(load.map((l) => l?.state)).toEqual([undefined, undefined, 'new', undefined, 'ongoing']);
    expect(load[4]).toMatchObject({ epochs: 2, persistent: true });
    expect(reports.flatMap((r) => r.resolved).filter((r) => r.check === 'leader_load_concentration')).toEqual([]);
    expect(reports[3]!.checks.find((c) => c.check === 'leader_load_concentration')?.unjudged).toEqual([
      { subject: 'cluster:c1', reason: 'n1, n2, n3 sent no stream detail this epoch, so write rates are incomplete (every server is asked every --load-detail-every epochs)' },
    ]);
  });
});
