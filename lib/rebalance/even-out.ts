/**
 * Evens out the servers under the peak. balance.ts fixes the bounds (the
 * lowest maximum of leaders per server, then of stream and of consumer
 * leaders) and finds the fewest moves within them; that alone leaves a
 * server under a peak that cannot come down as uneven as it was. Here,
 * within the same bounds, the arrangement is improved to the lowest sorted
 * load vector (the highest total, then the next highest, and so on), then
 * the fewest moves.
 *
 * Why the sum of squares: the feasible load vectors of a flow network with a
 * fixed total form an integral base polyhedron, where the decreasingly
 * minimal vector (lexicographically smallest when sorted from the top) is
 * exactly the one of least sum of squares (Frank and Murota, "Discrete
 * decreasing minimization", 2019+). So the objective is one number per
 * arrangement, W * sum(total^2) + moves with W = groups + 1: sums of squares
 * of arrangements of the same groups differ by an even amount, so 2W
 * outweighs any difference in moves.
 *
 * How: negative-cycle cancelling on the class-level residual network (the
 * network of balance.ts with the server-to-sink edges priced at the marginal
 * square, 2x + 1, of their next unit). Bellman-Ford from a virtual root; a
 * cycle in its parent graph is a negative cycle. An arrangement with no
 * negative cycle is optimal (convex-cost flow optimality). Each cancellation
 * lowers the objective, so it ends; it starts from the fewest-moves
 * arrangement at the bounds, which is usually close, so few are needed.
 */
import { CONSUMER, STREAM, type Caps, type Kind } from './model.js';

export interface EvenClass {
  readonly kind: Kind;
  readonly allowed: readonly number[];
  readonly size: number;
  readonly leader: number;
}

/** A residual edge; `cls`/`slot` set for class edges (the only ones whose change is stored). */
interface Edge {
  readonly from: number;
  readonly to: number;
  readonly cost: number;
  readonly residual: number;
  readonly cls: number;
  readonly slot: number;
  /** +1 raises placed[cls][slot], -1 lowers it; 0 for kind and sink edges. */
  readonly sign: 1 | -1 | 0;
}

/** Improves `placed` (per class, groups per allowed server) in place; returns the cycles cancelled. */
export function evenOut(serverCount: number, classes: readonly EvenClass[], caps: Caps, placed: number[][]): number {
  const groups = classes.reduce((n, c) => n + c.size, 0);
  const weight = groups + 1;
  const total = new Array<number>(serverCount).fill(0);
  const byKind = [new Array<number>(serverCount).fill(0), new Array<number>(serverCount).fill(0)] as const;
  classes.forEach((c, i) =>
    c.allowed.forEach((u, j) => {
      total[u]! += placed[i]![j]!;
      byKind[c.kind][u]! += placed[i]![j]!;
    }),
  );
  const C = classes.length;
  const kindNode = (u: number, kind: Kind) => C + 2 * u + kind;
  const serverNode = (u: number) => C + 2 * serverCount + u;
  const sink = C + 3 * serverCount;
  const nodeCount = sink + 1;

  let cancelled = 0;
  for (;;) {
    const edges = residualEdges();
    const cycle = negativeCycle(nodeCount, edges);
    if (cycle === undefined) return cancelled;
    apply(edges, cycle);
    cancelled++;
  }

  function residualEdges(): Edge[] {
    const edges: Edge[] = [];
    const add = (from: number, to: number, cost: number, residual: number, cls = -1, slot = -1, sign: 1 | -1 | 0 = 0) => {
      if (residual > 0) edges.push({ from, to, cost, residual, cls, slot, sign });
    };
    classes.forEach((c, i) =>
      c.allowed.forEach((u, j) => {
        const move = u === c.leader ? 0 : 1;
        const at = placed[i]![j]!;
        add(i, kindNode(u, c.kind), move, c.size - at, i, j, 1);
        add(kindNode(u, c.kind), i, -move, at, i, j, -1);
      }),
    );
    for (let u = 0; u < serverCount; u++) {
      for (const kind of [STREAM, CONSUMER] as const) {
        add(kindNode(u, kind), serverNode(u), 0, caps.byKind[kind] - byKind[kind][u]!);
        add(serverNode(u), kindNode(u, kind), 0, byKind[kind][u]!);
      }
      const x = total[u]!;
      add(serverNode(u), sink, weight * (2 * x + 1), caps.total - x);
      add(sink, serverNode(u), -weight * (2 * x - 1), x);
    }
    return edges;
  }

  function apply(edges: readonly Edge[], cycle: readonly number[]): void {
    let amount = Infinity;
    for (const e of cycle) amount = Math.min(amount, edges[e]!.residual);
    // Load moves from server v (edge sink -> v) to server u (edge u -> sink). Each
    // unit is priced at the first unit's marginal square; more units keep
    // lowering the squares only while the gap stays 2 or more.
    const into = cycle.find((e) => edges[e]!.to === sink);
    const outOf = cycle.find((e) => edges[e]!.from === sink);
    if (into !== undefined && outOf !== undefined) {
      const gap = total[edges[outOf]!.to - serverNode(0)]! - total[edges[into]!.from - serverNode(0)]!;
      amount = Math.min(amount, Math.max(1, Math.floor(gap / 2)));
    }
    for (const e of cycle) {
      const edge = edges[e]!;
      if (edge.sign === 0) continue;
      const c = classes[edge.cls]!;
      const u = c.allowed[edge.slot]!;
      const delta = edge.sign * amount;
      placed[edge.cls]![edge.slot]! += delta;
      total[u]! += delta;
      byKind[c.kind][u]! += delta;
    }
  }
}

/**
 * A negative cycle as edge indices, or undefined when there is none.
 * Bellman-Ford from a virtual root at distance 0 to every node, checking the
 * parent graph for a cycle after each pass (any cycle there is negative).
 */
function negativeCycle(nodeCount: number, edges: readonly Edge[]): number[] | undefined {
  const dist = new Float64Array(nodeCount);
  const parent = new Int32Array(nodeCount).fill(-1);
  for (let pass = 0; pass < nodeCount; pass++) {
    let changed = false;
    for (let e = 0; e < edges.length; e++) {
      const { from, to, cost } = edges[e]!;
      if (dist[from]! + cost < dist[to]!) {
        dist[to] = dist[from]! + cost;
        parent[to] = e;
        changed = true;
      }
    }
    if (!changed) return undefined;
    const cycle = parentCycle(nodeCount, edges, parent);
    if (cycle) return cycle;
  }
  return parentCycle(nodeCount, edges, parent);
}

function parentCycle(nodeCount: number, edges: readonly Edge[], parent: Int32Array): number[] | undefined {
  const seenBy = new Int32Array(nodeCount).fill(-1);
  for (let start = 0; start < nodeCount; start++) {
    let v = start;
    while (v >= 0 && seenBy[v] === -1) {
      seenBy[v] = start;
      v = parent[v]! >= 0 ? edges[parent[v]!]!.from : -1;
    }
    if (v >= 0 && seenBy[v] === start) {
      // v is on a cycle: walk it once.
      const cycle: number[] = [];
      let w = v;
      do {
        cycle.push(parent[w]!);
        w = edges[parent[w]!]!.from;
      } while (w !== v);
      return cycle.reverse();
    }
  }
  return undefined;
}
