/**
 * Target 5: planRebalance on large observations. Groups are built the way
 * test/unit/rebalance-plan.test.ts builds them (its `stream`, `consumer`,
 * `server` and `observation` helpers, repeated here because a test file
 * cannot be imported without running it): R3 streams with 3 consumers each,
 * every peer current, reported by its leader, on 5 servers.
 *
 * Two placements per size: `skewed` (half of all leaders on n1, the rest
 * spread: the case the planner exists for, thousands of moves) and `spread`
 * (seeded random leaders: few moves).
 */
import type { Observation, RaftGroup, ServerObservation } from '../lib/observation/types.js';
import type { PeerView } from '../lib/replies/types.js';
import { planRebalance } from '../lib/rebalance/index.js';
import { median } from './stats.js';
import { prng } from '../test/support/prng.js';

export interface PlannerOptions {
  readonly servers: number;
  readonly sizes: readonly number[];
  readonly repetitions: number;
}

export interface PlannerRow {
  readonly groups: number;
  readonly placement: 'skewed' | 'spread';
  readonly ms: number;
  readonly moves: number;
  readonly maxBefore: number;
  readonly maxAfter: number;
}

function peers(names: readonly string[]): PeerView[] {
  return names.map((name) => ({ name, current: true }));
}

function stream(name: string, leader: string, members: readonly string[]): RaftGroup {
  return {
    kind: 'stream',
    account: 'APP',
    stream: name,
    cluster: 'c1',
    leader,
    replicas: peers(members.filter((n) => n !== leader)),
    reportedBy: leader,
  };
}

function consumer(streamName: string, name: string, leader: string, members: readonly string[]): RaftGroup {
  return { ...stream(streamName, leader, members), kind: 'consumer', consumer: name };
}

function server(name: string): ServerObservation {
  return { name, id: `N${name.toUpperCase()}`, cluster: 'c1', version: '2.9.10', jetstream: true, latencyMs: 1, heardVia: [] };
}

function observation(servers: readonly string[], groups: readonly RaftGroup[]): Observation {
  const list = servers.map(server);
  return {
    startedAt: 0,
    gatherMs: 0,
    expectedServerCount: list.length,
    servers: list,
    vantages: [],
    groups,
    problems: [],
    knownServerNames: [...servers],
  };
}


/** `groups` Raft groups: groups/4 R3 streams, each with 3 consumers. */
export function largeObservation(groups: number, serverCount: number, placement: 'skewed' | 'spread'): Observation {
  const names = Array.from({ length: serverCount }, (_, i) => `n${i + 1}`);
  const random = prng(groups);
  const list: RaftGroup[] = [];
  const streams = Math.ceil(groups / 4);
  for (let s = 0; s < streams && list.length < groups; s++) {
    const members = [0, 1, 2].map((k) => names[(s + k) % serverCount]!);
    // Skewed: n1 leads every group it hosts (3/5 of them), the rest lead at random.
    const pick = (): string =>
      placement === 'skewed' && members.includes('n1') ? 'n1' : members[Math.floor(random() * members.length)]!;
    const name = `S${s + 1}`;
    list.push(stream(name, pick(), members));
    for (let c = 1; c <= 3 && list.length < groups; c++) list.push(consumer(name, `C${c}`, pick(), members));
  }
  return observation(names, list);
}

export function measurePlanner(opts: PlannerOptions, log: (line: string) => void): PlannerRow[] {
  const rows: PlannerRow[] = [];
  // Warm-up: the JIT, so the first size is not charged for compiling.
  planRebalance(largeObservation(2_000, opts.servers, 'skewed'));
  for (const groups of opts.sizes) {
    for (const placement of ['skewed', 'spread'] as const) {
      log(`planner: ${groups} groups, ${placement}`);
      const obs = largeObservation(groups, opts.servers, placement);
      const times: number[] = [];
      let plan = planRebalance(obs);
      for (let i = 0; i < opts.repetitions; i++) {
        const t0 = performance.now();
        plan = planRebalance(obs);
        times.push(performance.now() - t0);
      }
      const cluster = plan.clusters[0]!;
      rows.push({ groups, placement, ms: median(times), moves: cluster.moves.length, maxBefore: cluster.maxBefore, maxAfter: cluster.maxAfter });
    }
  }
  return rows;
}
