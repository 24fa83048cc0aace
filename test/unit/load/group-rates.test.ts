import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { groupRates } from '../../../lib/load/group-rates.js';
import { decodeSnapshot, encodeSnapshot, nextSnapshot, type LoadSnapshot } from '../../../lib/load/load-snapshot.js';
import type { GroupKind, RaftGroup } from '../../../lib/observation/types.js';
import { loadObservation, loadStream } from '../../support/load-groups.js';

/** Remember `groups` of one kind as one epoch's counters, through the encoding the state stores. */
function remembered(groups: readonly RaftGroup[], epoch = 1, kind: GroupKind = 'stream'): LoadSnapshot {
  return decodeSnapshot(JSON.parse(JSON.stringify(encodeSnapshot(nextSnapshot(undefined, loadObservation(groups), epoch, { kind })))));
}

function consumer(stream: string, leader: string, delivered: number, ackFloor: number, atMs: number, created = 'c'): RaftGroup {
  return {
    ...loadStream({ name: stream, leader, seq: 0 }),
    kind: 'consumer',
    consumer: 'C',
    counters: { at: Date.UTC(2026, 0, 1, 12) + atMs, seq: delivered, ackFloor, created },
  };
}

describe('group rates between epochs', () => {
  it("divides the growth of last_seq by the servers' own clock difference, and prices it at the average message size", () => {
    // Prepare: 10 s apart by the reporting servers' clocks
    const before = remembered([loadStream({ name: 'A', leader: 'n1', seq: 1000 })]);
    const now = loadObservation([loadStream({ name: 'A', leader: 'n2', seq: 3000, atMs: 10_000, messages: 500, bytes: 50_000 })]);

    // Act
    const rates = groupRates(before, now)!;

    // Assess: 2000 writes in 10 s at 100 B each; the new leader carries it
    expect(rates.rates).toHaveLength(1);
    expect(rates.rates[0]).toMatchObject({ messagesPerSecond: 200, bytesPerSecond: 20_000, intervalMs: 10_000 });
    expect(rates.rates[0]!.group.leader).toBe('n2');
    expect(rates.since).toBe(1);
  });

  it('consumers: deliveries from delivered.stream_seq, acks from the ack floor', () => {
    const before = remembered([consumer('A', 'n1', 100, 90, 0)], 1, 'consumer');
    const rates = groupRates(before, loadObservation([consumer('A', 'n1', 600, 590, 5_000)]), { kind: 'consumer' })!;
    expect(rates.rates[0]).toMatchObject({ messagesPerSecond: 100, acksPerSecond: 100 });
  });

  it('rates one kind at a time: streams by default, whose rating neither rates consumers nor counts them as new', () => {
    // Prepare: what an epoch keeps by default, streams only
    const first = loadObservation([loadStream({ name: 'A', leader: 'n1', seq: 100 }), consumer('A', 'n1', 100, 90, 0)]);
    const before = decodeSnapshot(encodeSnapshot(nextSnapshot(undefined, first, 1)));
    const second = loadObservation([loadStream({ name: 'A', leader: 'n1', seq: 600, atMs: 5_000 }), consumer('A', 'n1', 600, 590, 5_000)]);

    // Act
    const rates = groupRates(before, second)!;

    // Assess
    expect(rates.rates.map((r) => [r.group.kind, r.messagesPerSecond])).toEqual([['stream', 100]]);
    expect(rates.unrated).toEqual({ new: 0, reset: 0, no_interval: 0, no_counters: 0 });
  });

  it('new, recreated, reset, too-close and counter-less groups have no rate, each counted by why; vanished ones are missing', () => {
    // Prepare
    const before = remembered([
      loadStream({ name: 'RECREATED', leader: 'n1', seq: 10 }),
      loadStream({ name: 'WENT_DOWN', leader: 'n1', seq: 500 }),
      loadStream({ name: 'CLOSE', leader: 'n1', seq: 5 }),
      loadStream({ name: 'NOCOUNTERS', leader: 'n1', seq: 5 }),
      loadStream({ name: 'GONE', leader: 'n1', seq: 5 }),
    ]);
    const { counters: _, ...noCounters } = loadStream({ name: 'NOCOUNTERS', leader: 'n1', seq: 5 });
    const now = loadObservation([
      loadStream({ name: 'RECREATED', leader: 'n1', seq: 20, atMs: 10_000, created: '2026-01-01T00:05:00Z' }),
      loadStream({ name: 'WENT_DOWN', leader: 'n1', seq: 3, atMs: 10_000 }),
      loadStream({ name: 'CLOSE', leader: 'n1', seq: 9, atMs: 500 }),
      noCounters,
      loadStream({ name: 'NEW', leader: 'n1', seq: 9, atMs: 10_000 }),
    ]);

    // Act
    const rates = groupRates(before, now)!;

    // Assess
    expect(rates.rates).toEqual([]);
    expect(rates.unrated).toEqual({ new: 1, reset: 2, no_interval: 1, no_counters: 1 });
    expect(rates.missing).toBe(1);
  });

  it('no remembered counters: no rates at all (a first epoch)', () => {
    expect(groupRates(undefined, loadObservation([loadStream({ name: 'A', leader: 'n1', seq: 1 })]))).toBeUndefined();
  });

  it('R1 streams and groups without a leader are not rated', () => {
    const r1 = loadStream({ name: 'R1', leader: 'n1', seq: 1, replicas: [] });
    const before = remembered([r1, loadStream({ name: 'B', leader: 'n1', seq: 1 })]);
    const { leader: _, ...leaderless } = loadStream({ name: 'B', leader: 'n1', seq: 100, atMs: 10_000 });
    const rates = groupRates(before, loadObservation([{ ...r1, counters: { ...r1.counters!, seq: 50, at: r1.counters!.at + 10_000 } }, leaderless]))!;
    expect(rates.rates).toEqual([]);
  });
});

describe('the remembered counters', () => {
  it('survive encoding exactly (clock, sequence, ack floor, created tag)', () => {
    const groups = [loadStream({ name: 'A', leader: 'n1', seq: 123_456_789_012, atMs: 7 }), consumer('A', 'n2', 40, 31, 9)];
    const streams = decodeSnapshot(encodeSnapshot(nextSnapshot(undefined, loadObservation(groups), 4)));
    const consumers = decodeSnapshot(encodeSnapshot(nextSnapshot(undefined, loadObservation(groups), 4, { kind: 'consumer' })));
    expect(streams.epoch).toBe(4);
    expect([...streams.entries.values()].map((e) => [e.at - Date.UTC(2026, 0, 1, 12), e.seq, e.ackFloor])).toEqual([[7, 123_456_789_012, 123_456_789_012]]);
    expect([...consumers.entries.values()].map((e) => [e.at - Date.UTC(2026, 0, 1, 12), e.seq, e.ackFloor])).toEqual([[9, 40, 31]]);
  });

  it('keep counters of groups whose server sent no detail this epoch, up to an hour old, and drop them after a full-detail epoch', () => {
    const first = nextSnapshot(undefined, loadObservation([loadStream({ name: 'A', leader: 'n1', seq: 1 }), loadStream({ name: 'B', leader: 'n2', seq: 1 })]), 1);
    const partial = loadObservation([loadStream({ name: 'A', leader: 'n1', seq: 5, atMs: 60_000 })]);
    const onlySome = { ...partial, servers: partial.servers.map((s) => (s.name === 'n1' ? s : { ...s, detailed: false })) };
    expect(nextSnapshot(first, onlySome, 2).entries.size).toBe(2);
    // Dated by the last epoch every server refreshed, so a hot server's detail alone does not put off the next full one.
    expect(nextSnapshot(first, onlySome, 2).epoch).toBe(1);
    expect(nextSnapshot(first, partial, 2).epoch).toBe(2);
    expect(nextSnapshot(first, partial, 2).entries.size).toBe(1);
    const late = loadObservation([loadStream({ name: 'A', leader: 'n1', seq: 5, atMs: 2 * 3_600_000 })]);
    expect(nextSnapshot(first, { ...late, servers: onlySome.servers }, 3).entries.size).toBe(1);
  });

  it('20,000 groups (5,000 streams with 3 consumers each) fit DynamoDB items (400 KB) with room to spare, compressed as the stores store them: streams in the state item, consumers in their own', () => {
    // Prepare: realistic names and sequences up to ten digits
    const groups: RaftGroup[] = [];
    for (let i = 0; i < 5_000; i++) {
      const s = loadStream({ name: `ORDERS_${String(i).padStart(5, '0')}_eu_west`, leader: `n${(i % 3) + 1}`, seq: 1_000_000 + i * 7919, atMs: i % 3 });
      groups.push(s);
      for (const name of ['shipper', 'billing', 'audit_trail']) {
        groups.push({ ...s, kind: 'consumer', consumer: name, counters: { at: s.counters!.at, seq: s.counters!.seq - 3, ackFloor: s.counters!.seq - 10, created: 'x' } });
      }
    }

    // Act
    const streams = encodeSnapshot(nextSnapshot(undefined, loadObservation(groups), 1));
    const consumers = encodeSnapshot(nextSnapshot(undefined, loadObservation(groups), 1, { kind: 'consumer' }));
    const gzipped = (v: unknown) => gzipSync(JSON.stringify(v), { level: 9 }).length;

    // Assess: the bound, and the measured figures for BENCHMARKS.md
    console.info(`load state for 20,000 groups: streams ${gzipped(streams)} B, consumers ${gzipped(consumers)} B gzip-compressed`);
    expect(streams.s).toHaveLength(5_000);
    expect(consumers.s).toHaveLength(15_000);
    expect(gzipped(streams)).toBeLessThan(100 * 1024);
    expect(gzipped(consumers)).toBeLessThan(200 * 1024);
  });
});
