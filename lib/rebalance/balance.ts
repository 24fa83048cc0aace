/**
 * The optimisation itself, over classes of interchangeable groups.
 *
 * Objective, lexicographic:
 *   1. the highest total (streams + consumers) leaders on any server,
 *   2. then the highest stream leaders on any server,
 *   3. then the highest consumer leaders on any server,
 *   4. then the other servers' totals, highest first (even-out.ts),
 *   5. then the number of groups whose leader changes (moves).
 *
 * 1-3 are bounds tested for feasibility with max-flow, each found with the
 * ones before it fixed, by galloping up from a lower bound (an even split, or
 * the groups that cannot move) and then bisecting:
 *
 *   source -> class c       capacity |c|
 *   class c -> (u, kind)    capacity |c|, for each server u the class may be led by
 *   (u, stream)   -> u      capacity S
 *   (u, consumer) -> u      capacity C
 *   u -> sink               capacity T
 *
 * Every group is placed within the bounds iff the max flow equals the group
 * count. A min-cost flow on the same network at the optimal bounds, a
 * class's edge to its own leader costing 0 and any other costing 1, gives
 * the fewest moves any arrangement within the bounds needs; even-out.ts
 * then lowers the servers under the peak (4) at the fewest moves (5).
 *
 * Size: the networks have a node per class, not per group. Classes number at
 * most 2 kinds x k leaders x the distinct replica sets in use, which for a
 * few servers is a few hundred however many groups there are; so after the
 * linear work of building classes, the flows take about a millisecond for
 * 5 servers. With many servers and scattered placements classes approach
 * the group count, and the flows dominate (about 1.5 s for 100k R5 groups
 * over 50 servers).
 */
import { FlowNetwork } from './flow.js';
import { evenOut } from './even-out.js';
import { CONSUMER, STREAM, type Caps, type GroupClass, type Kind } from './model.js';

export interface Balance {
  readonly caps: Caps;
  /** Per class, how many of its groups end up led by each server of `allowed` (same order). */
  readonly placed: readonly (readonly number[])[];
}

/** A flow network's view of a class: cost-free (for feasibility) when it names no leader. */
interface FlowClass {
  readonly kind: Kind;
  readonly allowed: readonly number[];
  readonly size: number;
  readonly leader?: number;
}

const SOURCE = 0;
const SINK = 1;
const FIRST_CLASS = 2;

export function balance(serverCount: number, classes: readonly GroupClass[]): Balance {
  const sized: FlowClass[] = classes.map((c) => ({ kind: c.kind, allowed: c.allowed, size: c.items.length, leader: c.leader }));
  const total = sum(sized);
  const streams = sum(sized.filter((c) => c.kind === STREAM));
  const consumers = total - streams;
  if (total === 0) return { caps: { total: 0, byKind: [0, 0] }, placed: classes.map((c) => c.allowed.map(() => 0)) };

  // Feasibility does not depend on who leads now: merging classes that differ
  // only in their leader makes each max-flow smaller (by up to the replica count).
  const anyLeader = mergeByAllowed(sized);
  const fits = (t: number, s: number, c: number) => {
    const { network } = build(serverCount, anyLeader, { total: t, byKind: [s, c] });
    return network.maxFlow(SOURCE, SINK) === total;
  };
  // Leaving every leader in place is feasible at the current maximum. No
  // arrangement beats an even split or the groups that cannot move; that
  // bound is usually the answer, so the search starts there.
  const fixed = fixedLoad(serverCount, sized);
  const t = smallest(Math.max(Math.ceil(total / serverCount), max(fixed.total)), max(leaderLoad(serverCount, sized)), (x) =>
    fits(x, streams, consumers),
  );
  const s = smallest(Math.max(Math.ceil(streams / serverCount), max(fixed.streams)), streams, (x) => fits(t, x, consumers));
  const c = smallest(Math.max(Math.ceil(consumers / serverCount), max(fixed.consumers)), consumers, (x) => fits(t, s, x));
  const caps: Caps = { total: t, byKind: [s, c] };

  const { network, classEdges } = build(serverCount, sized, caps);
  const { flow } = network.minCostMaxFlow(SOURCE, SINK);
  if (flow !== total) throw new Error(`rebalance: placed ${flow} of ${total} groups at bounds found feasible`);
  const placed = classEdges.map((edges) => edges.map((e) => network.flowOn(e)));
  // Then the servers under the peak, and the fewest moves for that.
  evenOut(serverCount, classes.map((c) => ({ kind: c.kind, allowed: c.allowed, size: c.items.length, leader: c.leader })), caps, placed);
  return { caps, placed };
}

/**
 * Smallest x in [lo, hi] with ok(x), given ok(hi) and ok monotone. Gallops
 * up from lo before bisecting: the answer is usually lo or close to it, and
 * each probe is a max-flow.
 */
function smallest(lo: number, hi: number, ok: (x: number) => boolean): number {
  if (lo >= hi) return hi;
  for (let step = 1; lo < hi; step *= 2) {
    const probe = Math.min(lo + step - 1, hi);
    if (ok(probe)) {
      hi = probe;
      break;
    }
    lo = probe + 1;
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/** The network in the module comment at the given bounds; `classEdges[c][j]` is class c's edge to `allowed[j]`. */
function build(serverCount: number, classes: readonly FlowClass[], caps: Caps): { network: FlowNetwork; classEdges: number[][] } {
  const firstServer = FIRST_CLASS + classes.length;
  const kindNode = (server: number, kind: Kind) => firstServer + 3 * server + kind;
  const serverNode = (server: number) => firstServer + 3 * server + 2;
  const network = new FlowNetwork(firstServer + 3 * serverCount);
  const classEdges = classes.map((c, i) => {
    const node = FIRST_CLASS + i;
    network.addEdge(SOURCE, node, c.size);
    return c.allowed.map((u) => network.addEdge(node, kindNode(u, c.kind), c.size, c.leader === undefined || u === c.leader ? 0 : 1));
  });
  for (let u = 0; u < serverCount; u++) {
    network.addEdge(kindNode(u, STREAM), serverNode(u), caps.byKind[STREAM]);
    network.addEdge(kindNode(u, CONSUMER), serverNode(u), caps.byKind[CONSUMER]);
    network.addEdge(serverNode(u), SINK, caps.total);
  }
  return { network, classEdges };
}

function mergeByAllowed(classes: readonly FlowClass[]): FlowClass[] {
  const merged = new Map<string, FlowClass>();
  for (const c of classes) {
    const key = `${c.kind}|${c.allowed.join(',')}`;
    const seen = merged.get(key);
    merged.set(key, { kind: c.kind, allowed: c.allowed, size: (seen?.size ?? 0) + c.size });
  }
  return [...merged.values()];
}

/** Per server, groups it leads that have nowhere else to go. */
function fixedLoad(serverCount: number, classes: readonly FlowClass[]): { total: number[]; streams: number[]; consumers: number[] } {
  const streams = new Array<number>(serverCount).fill(0);
  const consumers = new Array<number>(serverCount).fill(0);
  for (const c of classes) {
    if (c.allowed.length !== 1) continue;
    const u = c.allowed[0]!;
    if (c.kind === STREAM) streams[u] = streams[u]! + c.size;
    else consumers[u] = consumers[u]! + c.size;
  }
  return { total: streams.map((n, u) => n + consumers[u]!), streams, consumers };
}

function leaderLoad(serverCount: number, classes: readonly FlowClass[]): number[] {
  const load = new Array<number>(serverCount).fill(0);
  for (const c of classes) load[c.leader!] = load[c.leader!]! + c.size;
  return load;
}

function sum(classes: readonly FlowClass[]): number {
  return classes.reduce((n, c) => n + c.size, 0);
}

function max(values: readonly number[]): number {
  return values.reduce((m, v) => Math.max(m, v), 0);
}
