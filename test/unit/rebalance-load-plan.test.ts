import { describe, expect, it } from 'vitest';
import type { GroupRate } from '../../lib/load/group-rates.js';
import type { Observation, RaftGroup } from '../../lib/observation/types.js';
import { planByLoad } from '../../lib/rebalance/load-plan.js';
import type { ClusterPlan } from '../../lib/rebalance/types.js';
import { loadObservation, loadStream } from '../support/load-groups.js';
import { prng } from '../support/prng.js';

const rate = (group: RaftGroup, messagesPerSecond: number): GroupRate => ({ group, messagesPerSecond, bytesPerSecond: 0, intervalMs: 10_000 });

function only(plan: { clusters: readonly ClusterPlan[] }): ClusterPlan {
  expect(plan.clusters).toHaveLength(1);
  return plan.clusters[0]!;
}

describe('planByLoad: hand-made plans', () => {
  it('moves one of two equally busy streams off n1: the busiest server halves, with one move, and the dry run has loads before and after', () => {
    // Prepare: even counts (two each), all writes on n1
    const groups = ['A', 'B', 'C', 'D', 'E', 'F'].map((name, i) => loadStream({ name, leader: `n${Math.floor(i / 2) + 1}`, seq: 0 }));
    const rates = [rate(groups[0]!, 100), rate(groups[1]!, 100)];

    // Act
    const plan = only(planByLoad(loadObservation(groups), rates));

    // Assess
    expect(plan).toMatchObject({ by: 'load', maxLoadBefore: 200, maxLoadAfter: 100, optimal: true, maxBefore: 2, maxAfter: 3 });
    expect(plan.moves).toEqual([{ kind: 'stream', account: 'APP', stream: 'A', from: 'n1', to: 'n2', load: 100 }]);
    expect(plan.servers.map((s) => [s.name, s.loadBefore, s.loadAfter])).toEqual([
      ['n1', 200, 100],
      ['n2', 0, 100],
      ['n3', 0, 0],
    ]);
  });

  it('moves only a busy stream with a healthy replica, seen by its leader: never an idle stream, a consumer, or the others, whose load stays as a floor', () => {
    const busy = loadStream({ name: 'BUSY', leader: 'n1', seq: 0 });
    const stuck = { ...loadStream({ name: 'STUCK', leader: 'n1', seq: 0 }), replicas: [{ name: 'n2', current: false, offline: true }] };
    const hearsay = { ...loadStream({ name: 'HEARSAY', leader: 'n1', seq: 0 }), reportedBy: 'n2' };
    const idle = loadStream({ name: 'IDLE', leader: 'n1', seq: 0 });
    const consumer: RaftGroup = { ...loadStream({ name: 'BUSY', leader: 'n1', seq: 0 }), kind: 'consumer', consumer: 'C' };
    const plan = only(planByLoad(loadObservation([busy, stuck, hearsay, idle, consumer]), [rate(busy, 10), rate(stuck, 50), rate(hearsay, 50), rate(consumer, 500)]));
    // STUCK and HEARSAY keep 100 msg/s on n1 whatever happens: only BUSY can go
    expect(plan.moves.map((m) => [m.stream, m.to])).toEqual([['BUSY', 'n2']]);
    expect(plan).toMatchObject({ maxLoadBefore: 110, maxLoadAfter: 100 });
    expect(plan.unmovable.map((u) => [u.stream, u.reason])).toEqual([
      ['STUCK', 'no_current_replica'],
      ['HEARSAY', 'no_leader_view'],
    ]);
  });
});

// ---------------------------------------------------------------- optimality against brute force

/** Up to 8 streams on 3-4 servers: random leaders, replicas (some unhealthy), views and integer rates (some idle). */
function randomInstance(seed: number): { obs: Observation; rates: GroupRate[] } {
  const random = prng(seed);
  const servers = ['n1', 'n2', 'n3', 'n4'].slice(0, 3 + Math.floor(random() * 2));
  const groups: RaftGroup[] = [];
  const rates: GroupRate[] = [];
  const count = 1 + Math.floor(random() * 8);
  for (let i = 0; i < count; i++) {
    const size = random() < 0.1 ? 1 : 2 + Math.floor(random() * (servers.length - 1));
    const members = [...servers].sort(() => random() - 0.5).slice(0, size);
    const base = loadStream({ name: `S${i}`, leader: members[0]!, seq: 0 });
    const g: RaftGroup = {
      ...base,
      replicas: members.slice(1).map((name) => ({ name, current: random() < 0.8, ...(random() < 0.1 ? { offline: true } : {}) })),
      reportedBy: random() < 0.05 ? (members[1] ?? members[0]!) : members[0]!,
    };
    groups.push(g);
    if (random() < 0.85) rates.push(rate(g, random() < 0.15 ? 0 : 1 + Math.floor(random() * 100)));
  }
  const answering = random() < 0.1 ? servers.slice(1) : servers;
  return { obs: { ...loadObservation([], answering), groups }, rates };
}

/** Every arrangement, written independently: each stream stays or goes to a current, online, answering peer (only when its leader reported it). */
function bruteForce(obs: Observation, rates: readonly GroupRate[]): { max: number; moves: number } {
  const answering = new Set(obs.servers.map((s) => s.name));
  const counted = obs.groups.filter((g) => g.leader !== undefined && g.replicas.length > 0);
  const servers = [...new Set([...answering, ...counted.map((g) => g.leader!)])];
  const rateOf = (g: RaftGroup) => rates.find((r) => r.group.stream === g.stream)?.messagesPerSecond ?? 0;
  const options = counted.map((g) =>
    g.reportedBy !== g.leader ? [g.leader!] : [g.leader!, ...g.replicas.filter((r) => r.current && !r.offline && answering.has(r.name)).map((r) => r.name)],
  );
  let best = { max: Infinity, moves: Infinity };
  const chosen: string[] = [];
  const visit = (i: number): void => {
    if (i === counted.length) {
      const load = new Map(servers.map((s) => [s, 0]));
      counted.forEach((g, j) => load.set(chosen[j]!, load.get(chosen[j]!)! + rateOf(g)));
      const max = Math.max(0, ...load.values());
      const moves = counted.filter((g, j) => chosen[j] !== g.leader).length;
      if (max < best.max || (max === best.max && moves < best.moves)) best = { max, moves };
      return;
    }
    for (const s of options[i]!) {
      chosen[i] = s;
      visit(i + 1);
    }
  };
  visit(0);
  return best;
}

describe('planByLoad: optimal on small instances, checked against brute force', () => {
  const SEEDS = 1000;

  it(`matches the lowest maximum write load per server, then the fewest moves, on ${SEEDS} seeded instances; every move is legal and the loads add up`, () => {
    let withMoves = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      // Prepare
      const { obs, rates } = randomInstance(seed);

      // Act
      const plan = only(planByLoad(obs, rates));

      // Assess
      const best = bruteForce(obs, rates);
      expect({ max: plan.maxLoadAfter, moves: plan.moves.length, optimal: plan.optimal }, `seed ${seed}`).toEqual({ ...best, optimal: true });
      const answering = new Set(obs.servers.map((s) => s.name));
      const load = new Map(plan.servers.map((s) => [s.name, s.loadBefore!]));
      for (const m of plan.moves) {
        const g = obs.groups.find((x) => x.stream === m.stream)!;
        expect(m.from, `seed ${seed}`).toBe(g.leader);
        expect(g.reportedBy, `seed ${seed}`).toBe(g.leader);
        expect(g.replicas.some((r) => r.name === m.to && r.current && !r.offline) && answering.has(m.to), `seed ${seed} ${m.stream} -> ${m.to}`).toBe(true);
        load.set(m.from, load.get(m.from)! - m.load!);
        load.set(m.to, load.get(m.to)! + m.load!);
      }
      for (const s of plan.servers) expect(load.get(s.name), `seed ${seed} ${s.name}`).toBeCloseTo(s.loadAfter!, 6);
      if (plan.moves.length > 0) withMoves++;
    }
    // Not a suite of trivial instances: many need moves to reach the optimum.
    expect(withMoves).toBeGreaterThan(SEEDS / 5);
  });
});
