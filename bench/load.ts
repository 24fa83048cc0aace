/**
 * Section 8: what load tracking costs. At 10k and 20k Raft groups (the
 * planner bench's observations, with counters): the state bytes the load
 * counters add to the cluster's state item (gzip as stored, and DynamoDB
 * write units), the time an epoch spends on load (decode the remembered
 * counters, rate every group, encode the next ones, run
 * leader_load_concentration), and the load planner's time. Then the detail
 * cadence: JSZ bytes per epoch on a counting cluster (recorded 2.11.12
 * shapes, bench/bytes.ts) when every N-th epoch asks every server for detail.
 */
import { gzipSync } from 'node:zlib';
import { leaderLoadConcentration, LOAD_CONCENTRATION_DEFAULTS } from '../lib/checks/leader-load-concentration.js';
import { consumerLoad } from '../lib/load/consumer-counters.js';
import { epochLoad } from '../lib/load/epoch-load.js';
import { encodeSnapshot, nextSnapshot } from '../lib/load/load-snapshot.js';
import type { Observation, RaftGroup } from '../lib/observation/types.js';
import { planByLoad } from '../lib/rebalance/load-plan.js';
import { recordedPaths } from './bytes.js';
import { largeObservation } from './planner.js';
import { median } from './stats.js';
import { prng } from '../test/support/prng.js';

export interface LoadOptions {
  readonly servers: number;
  readonly sizes: readonly number[];
  readonly repetitions: number;
  /** For the cadence table: the live bench's cluster shape. */
  readonly streams: number;
  readonly consumersPerStream: number;
}

export interface LoadRow {
  readonly groups: number;
  readonly stateJsonBytes: number;
  readonly stateGzipBytes: number;
  /** The consumer counters' own item, gzip as stored, and the time to rate consumers and encode the next counters. */
  readonly consumerGzipBytes: number;
  readonly consumerMs: number;
  readonly epochMs: number;
  readonly planMs: number;
  readonly planMoves: number;
}

export interface CadenceRow {
  readonly every: number;
  readonly wirePerEpoch: number;
  readonly bodyPerEpoch: number;
}

export interface LoadResult {
  readonly rows: readonly LoadRow[];
  readonly cadence: readonly CadenceRow[];
  readonly cadenceOf: { readonly perServerWire: number; readonly summariesWire: number };
}

const MINUTE = 60_000;

/** The same groups one minute apart; streams led by n1 write 50x more. */
function withCounters(obs: Observation, at: number, advance: boolean): Observation {
  const random = prng(obs.groups.length);
  const groups = obs.groups.map((g): RaftGroup => {
    const base = 1_000_000 + Math.floor(random() * 1e9);
    const writes = advance ? Math.floor(random() * 600) * (g.leader === 'n1' ? 50 : 1) : 0;
    return { ...g, counters: { at, seq: base + writes, created: '2026-01-01T00:00:00Z', ...(g.kind === 'stream' ? { messages: 1000, bytes: 100_000 } : { ackFloor: base + writes - 5 }) } };
  });
  return { ...obs, groups, servers: obs.servers.map((s) => ({ ...s, detailed: true })) };
}

export function measureLoad(opts: LoadOptions, log: (line: string) => void): LoadResult {
  const rows: LoadRow[] = [];
  for (const groups of opts.sizes) {
    log(`load: ${groups} groups`);
    const shape = largeObservation(groups, opts.servers, 'spread');
    const first = withCounters(shape, 0, false);
    const second = withCounters(shape, MINUTE, true);
    const remembered = encodeSnapshot(nextSnapshot(undefined, first, 1));
    const thresholds = { ratio: LOAD_CONCENTRATION_DEFAULTS.ratio, critical_ratio: LOAD_CONCENTRATION_DEFAULTS.criticalRatio, min_rate: LOAD_CONCENTRATION_DEFAULTS.minRate };
    const epochTimes: number[] = [];
    const consumerTimes: number[] = [];
    const planTimes: number[] = [];
    const rememberedConsumers = consumerLoad(undefined, first, 1).next;
    let nextConsumers = rememberedConsumers;
    let next = remembered;
    let moves = 0;
    for (let i = 0; i <= opts.repetitions; i++) {
      const t0 = performance.now();
      const load = epochLoad(remembered, second, 2, true);
      leaderLoadConcentration.run({ observation: second, history: [], thresholds, load: load.rates });
      const t1 = performance.now();
      const plan = planByLoad(second, load.rates!.rates);
      const t2 = performance.now();
      nextConsumers = consumerLoad(rememberedConsumers, second, 6).next;
      const t3 = performance.now();
      next = load.next!;
      moves = plan.clusters[0]!.moves.length;
      if (i > 0) {
        // The first round warms the JIT.
        epochTimes.push(t1 - t0);
        planTimes.push(t2 - t1);
        consumerTimes.push(t3 - t2);
      }
    }
    const json = JSON.stringify(next);
    rows.push({
      groups,
      stateJsonBytes: json.length,
      stateGzipBytes: gzipSync(json, { level: 9 }).length,
      consumerGzipBytes: gzipSync(JSON.stringify(nextConsumers), { level: 9 }).length,
      consumerMs: median(consumerTimes),
      epochMs: median(epochTimes),
      planMs: median(planTimes),
      planMoves: moves,
    });
  }
  const recorded = recordedPaths({ servers: 3, vantages: 3, streams: opts.streams, consumersPerStream: opts.consumersPerStream }).filter((r) => r.version === '2.11.12');
  const perServer = recorded.find((r) => r.path === 'per-server')!;
  const summaries = recorded.find((r) => r.path === 'counts-only, none flagged')!;
  const cadence = [1, 2, 5, 10, 30].map((every) => ({
    every,
    wirePerEpoch: (perServer.wire + (every - 1) * summaries.wire) / every,
    bodyPerEpoch: (perServer.body + (every - 1) * summaries.body) / every,
  }));
  return { rows, cadence, cadenceOf: { perServerWire: perServer.wire, summariesWire: summaries.wire } };
}
