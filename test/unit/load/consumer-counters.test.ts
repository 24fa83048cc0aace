import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { runEpoch } from '../../../lib/epoch/run-epoch.js';
import { consumerCountersDue, consumerLoad } from '../../../lib/load/consumer-counters.js';
import { MemoryStateStore } from '../../../lib/state/state-store.js';
import { T0, healthyReplies, sample } from '../../support/sample-builder.js';
import { consumerCounterContract } from '../../support/consumer-counter-contract.js';
import { loadObservation, loadStream } from '../../support/load-groups.js';
import type { RaftGroup } from '../../../lib/observation/types.js';

const MINUTE = 60_000;

function consumer(leader: string, delivered: number, atMs: number): RaftGroup {
  return { ...loadStream({ name: 'A', leader, seq: 0 }), kind: 'consumer', consumer: 'C', counters: { at: T0 + atMs, seq: delivered, ackFloor: delivered, created: 'c' } };
}

describe('consumer counters', () => {
  it('are due when every server sent detail and the remembered ones are `every` epochs old or absent', () => {
    const detailed = loadObservation([]);
    const partial = { ...detailed, servers: detailed.servers.map((s, i) => (i === 0 ? { ...s, detailed: false } : s)) };
    expect(consumerCountersDue(undefined, 1, 5, detailed)).toBe(true);
    expect(consumerCountersDue(3, 7, 5, detailed)).toBe(false);
    expect(consumerCountersDue(3, 8, 5, detailed)).toBe(true);
    expect(consumerCountersDue(undefined, 1, 5, partial)).toBe(false);
  });

  it('rate deliveries against the remembered counters, and forget counters too old to say anything about now', () => {
    const first = consumerLoad(undefined, loadObservation([consumer('n1', 100, 0)]), 1);
    expect(first.rates).toBeUndefined();

    const fiveMinutesOn = consumerLoad(first.next, loadObservation([consumer('n1', 3_100, 5 * MINUTE)]), 6);
    expect(fiveMinutesOn.rates?.rates.map((r) => [r.group.kind, r.messagesPerSecond])).toEqual([['consumer', 10]]);
    expect(fiveMinutesOn.rates?.since).toBe(1);

    const twoHoursOn = consumerLoad(first.next, loadObservation([consumer('n1', 3_100, 120 * MINUTE)]), 121);
    expect(twoHoursOn.rates).toBeUndefined();
    expect(twoHoursOn.next.epoch).toBe(121);
  });
});

describe('an epoch with consumer counters', () => {
  /** n1 leads stream A and its consumer C; each epoch a minute on, 600 writes and 1,200 deliveries a minute. */
  const epochAt = (i: number) =>
    sample({
      startedAt: T0 + i * MINUTE,
      replies: healthyReplies({
        now: T0 + i * MINUTE,
        streams: {
          n1: [{ name: 'A', leader: 'n1', replicas: ['n2', 'n3'], lastSeq: 600 * i, consumers: [{ name: 'C', leader: 'n1', replicas: ['n2', 'n3'], delivered: 1_200 * i }] }],
        },
      }),
    });

  it('reads and writes them only every `loadDetailEvery` epochs, rates deliveries then, and remembers when in the state', async () => {
    // Prepare: a store that counts what reaches the consumer counters
    const store = new MemoryStateStore();
    const touched: string[] = [];
    const counters = {
      loadConsumerCounters: async (key: string) => (touched.push('load'), store.loadConsumerCounters(key)),
      saveConsumerCounters: async (key: string, c: Parameters<MemoryStateStore['saveConsumerCounters']>[1]) => (touched.push('save'), store.saveConsumerCounters(key, c)),
    };
    const results = [];

    // Act: seven epochs at a cadence of three
    for (let i = 0; i < 7; i++) {
      results.push(
        await runEpoch({
          sample: async () => epochAt(i),
          store,
          consumerCounters: counters,
          clusterKey: 'c1',
          registry: defaultRegistry(),
          checks: { skip: new Set(), thresholds: {} },
          persistence: { epochs: 2, minMs: 0 },
          loadDetailEvery: 3,
          now: () => T0 + i * MINUTE,
        }),
      );
    }

    // Assess: epochs 1, 4 and 7 touch the item; 4 and 7 rate deliveries over three minutes
    expect(touched).toEqual(['load', 'save', 'load', 'save', 'load', 'save']);
    const delivered = results.map((r) => ('load' in r ? r.load?.consumers?.rates.map((g) => g.messagesPerSecond) : undefined));
    expect(delivered).toEqual([undefined, undefined, undefined, [20], undefined, undefined, [20]]);
    // Writes are rated every epoch against the last one: 600 a minute
    expect(results.slice(1).map((r) => ('load' in r ? r.load?.rates.map((g) => g.messagesPerSecond) : undefined))).toEqual(Array(6).fill([10]));
    expect((await store.load('c1')).state.consumerCountersEpoch).toBe(7);
    expect((await store.loadConsumerCounters('c1'))?.s).toEqual([8_400 - 1_200]);
  });

  it('a store that cannot read or save them costs the delivery rates and says so, never the epoch, and the next epoch tries again', async () => {
    // Prepare
    const store = new MemoryStateStore();
    const failing = {
      loadConsumerCounters: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      saveConsumerCounters: async () => undefined,
    };
    const run = (i: number) =>
      runEpoch({
        sample: async () => epochAt(i),
        store,
        consumerCounters: failing,
        clusterKey: 'c1',
        registry: defaultRegistry(),
        checks: { skip: new Set(), thresholds: {} },
        persistence: { epochs: 2, minMs: 0 },
        loadDetailEvery: 3,
      });

    // Act
    const first = await run(0);
    const second = await run(1);

    // Assess
    expect(first.report.notices).toEqual([expect.stringMatching(/^consumer counters could not be read \(.*ProvisionedThroughputExceeded.*\); no delivery rates this epoch$/)]);
    expect(second.report.notices).toHaveLength(1);
    expect((await store.load('c1')).state.consumerCountersEpoch).toBeUndefined();
    expect(first.report.status).toBe('ok');
  });
});

describe('MemoryStateStore consumer counters', () => {
  const store = new MemoryStateStore();
  consumerCounterContract(() => ({ store: () => store }), { persists: false });
});
