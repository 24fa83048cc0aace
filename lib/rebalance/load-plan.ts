/**
 * `rebalance --by load`: which stream leaders to move so that the busiest
 * server writes as little as possible, then with the fewest moves. Pure.
 *
 * Load is what leader_load_concentration judges: stream messages written
 * per second (lib/load/group-rates.ts), summed per leading server. The
 * placement and health rules are the count planner's (leader-movability.ts:
 * only a healthy, answering replica may take over; only the leader's own
 * view counts). Only streams with a rate above zero are candidates: moving
 * an idle group changes no server's load, so it would only add an election;
 * consumers carry no write load and stay.
 *
 * Exact: a depth-first branch and bound over the candidates, busiest first,
 * each on its leader first and then on its allowed servers least loaded
 * first, pruned when it cannot beat the best (maximum, moves) found. The
 * bound for the rest: every remaining stream must land somewhere, so the
 * maximum is at least its rate plus the least loaded server it may go to.
 * Checked against brute force on small instances (test/unit/rebalance-load-plan.test.ts).
 * A search that exceeds {@link MAX_SEARCH_NODES} returns the best found and
 * says so (`optimal: false`).
 */
import { leaderMovability } from '../observation/leader-movability.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import type { Observation, RaftGroup } from '../observation/types.js';
import type { PeerView } from '../replies/types.js';
import type { GroupRate } from '../load/group-rates.js';
import { compareGroups, groupKey } from '../domain/group-key.js';
import type { ClusterPlan, LeaderCounts, Move, RebalancePlan, UnmovableGroup } from './types.js';
import { RATE_EPSILON, spreadLoad } from '../load/spread-load.js';

/**
 * Nodes the search may visit per cluster: a few hundred milliseconds at
 * thousands of busy streams (BENCHMARKS.md section 8); beyond it the best
 * plan found stands, the descent's at worst.
 */
export const MAX_SEARCH_NODES = 200_000;

const EPSILON = RATE_EPSILON;

export interface LoadPlanOptions {
  readonly cluster?: string;
  readonly canLead?: (replica: PeerView) => boolean;
}

/** Plans every cluster (or one) by write load, from `observation` and the rates of its groups. */
export function planByLoad(observation: Observation, rates: readonly GroupRate[], options: LoadPlanOptions = {}): RebalancePlan {
  const clusters = [...new Set([...observation.servers.filter((s) => s.jetstream).map((s) => s.cluster ?? ''), ...observation.groups.map((g) => g.cluster ?? '')])]
    .filter((c) => options.cluster === undefined || c === options.cluster)
    .sort();
  const rateOf = new Map(rates.map((r) => [groupKey(r.group), r.messagesPerSecond]));
  return {
    clusters: clusters.map((cluster) =>
      planCluster(
        cluster,
        observation.servers.filter((s) => s.jetstream && (s.cluster ?? '') === cluster).map((s) => s.name),
        observation.groups.filter((g) => (g.cluster ?? '') === cluster),
        rateOf,
        options.canLead ?? isHealthyReplica,
      ),
    ),
  };
}

/** One candidate: a movable stream with write load. */
interface Candidate {
  readonly group: RaftGroup;
  readonly rate: number;
  readonly leader: number;
  /** Leader first, then the other allowed servers. */
  readonly allowed: readonly number[];
}

function planCluster(
  cluster: string,
  answering: readonly string[],
  groups: readonly RaftGroup[],
  rateOf: ReadonlyMap<string, number>,
  canLead: (replica: PeerView) => boolean,
): ClusterPlan {
  const answeringSet = new Set(answering);
  const counted = groups.filter((g) => g.leader !== undefined && g.replicas.length > 0).sort(compareGroups);
  const names = [...new Set([...answering, ...counted.map((g) => g.leader!)])].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  const fixed = new Array<number>(names.length).fill(0);
  const candidates: Candidate[] = [];
  const unmovable: UnmovableGroup[] = [];
  for (const g of groups) {
    const { reason } = leaderMovability(g, answeringSet, canLead);
    if (reason) unmovable.push({ ...identity(g), ...(g.leader === undefined ? {} : { leader: g.leader }), reason });
  }
  for (const g of counted) {
    const rate = g.kind === 'stream' ? (rateOf.get(groupKey(g)) ?? 0) : 0;
    const leader = index.get(g.leader!)!;
    const { targets } = leaderMovability(g, answeringSet, canLead);
    if (rate > 0 && targets.length > 0) candidates.push({ group: g, rate, leader, allowed: [leader, ...targets.map((t) => index.get(t)!)] });
    else fixed[leader]! += rate;
  }
  candidates.sort((a, b) => b.rate - a.rate || compareGroups(a.group, b.group));

  const { assignment, optimal } = search(fixed, candidates);
  const loadBefore = [...fixed];
  const loadAfter = [...fixed];
  candidates.forEach((c, i) => {
    loadBefore[c.leader]! += c.rate;
    loadAfter[assignment[i]!]! += c.rate;
  });
  const moves: Move[] = [];
  candidates.forEach((c, i) => {
    if (assignment[i] !== c.leader) moves.push({ ...identity(c.group), from: names[c.leader]!, to: names[assignment[i]!]!, load: c.rate });
  });
  // Hottest server first, busiest stream first: a run cut short has relieved the peak most.
  moves.sort((a, b) => loadBefore[index.get(b.from)!]! - loadBefore[index.get(a.from)!]! || b.load! - a.load!);

  const before = countLeaders(names, counted, new Map());
  const after = countLeaders(names, counted, new Map(moves.map((m) => [groupKey(m), m.to])));
  const max = (counts: readonly LeaderCounts[]) => counts.reduce((m, c) => Math.max(m, c.total), 0);
  return {
    cluster,
    by: 'load',
    servers: names.map((name, i) => ({ name, before: before[i]!, after: after[i]!, loadBefore: loadBefore[i]!, loadAfter: loadAfter[i]! })),
    moves,
    unmovable,
    maxBefore: max(before),
    maxAfter: max(after),
    average: names.length === 0 ? 0 : counted.length / names.length,
    maxLoadBefore: Math.max(0, ...loadBefore),
    maxLoadAfter: Math.max(0, ...loadAfter),
    optimal,
  };
}

/** The lexicographically least (maximum load, moves) assignment of candidates to servers. */
function search(fixed: readonly number[], candidates: readonly Candidate[]): { assignment: number[]; optimal: boolean } {
  const load = [...fixed];
  for (const c of candidates) load[c.leader]! += c.rate;
  // The incumbent: nothing moves, or the shared descent (spread-load.ts), whichever is better.
  let best = { max: Math.max(0, ...load), moves: 0, assignment: candidates.map((c) => c.leader) };
  const descent = spreadLoad(load, candidates.map((c) => ({ rate: c.rate, at: c.leader, targets: c.allowed.slice(1) })));
  const descentMax = Math.max(0, ...descent.loads);
  if (descentMax < best.max - EPSILON) {
    best = { max: descentMax, moves: descent.assignment.filter((s, i) => s !== candidates[i]!.leader).length, assignment: descent.assignment };
  }
  for (let i = 0; i < load.length; i++) load[i] = fixed[i]!;

  const current = new Array<number>(candidates.length);
  let nodes = 0;
  let exhausted = false;
  const visit = (i: number, max: number, moves: number): void => {
    if (++nodes > MAX_SEARCH_NODES) {
      exhausted = true;
      return;
    }
    if (i === candidates.length) {
      if (max < best.max - EPSILON || (max <= best.max + EPSILON && moves < best.moves)) best = { max, moves, assignment: [...current] };
      return;
    }
    // Every remaining stream lands on some allowed server: the maximum is at least its best landing.
    let bound = max;
    for (let j = i; j < candidates.length; j++) {
      const c = candidates[j]!;
      let least = Number.POSITIVE_INFINITY;
      for (const s of c.allowed) least = Math.min(least, load[s]! + c.rate);
      bound = Math.max(bound, least);
    }
    if (bound > best.max + EPSILON || (bound > best.max - EPSILON && moves >= best.moves)) return;
    const c = candidates[i]!;
    const order = [c.leader, ...c.allowed.slice(1).sort((a, b) => load[a]! - load[b]!)];
    for (const s of order) {
      if (exhausted) return;
      current[i] = s;
      load[s]! += c.rate;
      visit(i + 1, Math.max(max, load[s]!), moves + (s === c.leader ? 0 : 1));
      load[s]! -= c.rate;
    }
  };
  visit(0, Math.max(0, ...fixed), 0);
  return { assignment: best.assignment, optimal: !exhausted };
}

function countLeaders(names: readonly string[], counted: readonly RaftGroup[], movedTo: ReadonlyMap<string, string>): LeaderCounts[] {
  const streams = new Map(names.map((n) => [n, 0]));
  const consumers = new Map(names.map((n) => [n, 0]));
  for (const g of counted) {
    const at = movedTo.get(groupKey(g)) ?? g.leader!;
    const m = g.kind === 'stream' ? streams : consumers;
    m.set(at, (m.get(at) ?? 0) + 1);
  }
  return names.map((n) => ({ streams: streams.get(n)!, consumers: consumers.get(n)!, total: streams.get(n)! + consumers.get(n)! }));
}

function identity(group: RaftGroup): Pick<Move, 'kind' | 'account' | 'accountId' | 'stream' | 'consumer'> {
  const { kind, account, accountId, stream, consumer } = group;
  return { kind, account, ...(accountId === undefined ? {} : { accountId }), stream, ...(consumer === undefined ? {} : { consumer }) };
}
