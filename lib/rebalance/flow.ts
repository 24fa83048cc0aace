/**
 * A small directed flow network with integer capacities: Dinic's max-flow,
 * and min-cost max-flow by the primal-dual method (shortest distances from
 * Bellman-Ford, then Dinic blocking flows over the edges on a shortest path).
 *
 * The planner's networks are small, one node per class of interchangeable
 * groups plus three per server, so plain arrays and recursion are enough.
 * Its edge costs are 0 or 1 (stay or move), so a min-cost run needs only a
 * handful of shortest-path rounds: each round raises the source-to-sink
 * distance, which cannot exceed the number of servers.
 */
export class FlowNetwork {
  private readonly head: number[];
  // Edge e and its residual twin e ^ 1 are stored side by side.
  private readonly to: number[] = [];
  private readonly next: number[] = [];
  private readonly cap: number[] = [];
  private readonly cost: number[] = [];
  private level: Int32Array;
  private cursor: Int32Array;

  constructor(readonly nodeCount: number) {
    this.head = new Array<number>(nodeCount).fill(-1);
    this.level = new Int32Array(nodeCount);
    this.cursor = new Int32Array(nodeCount);
  }

  /** Adds `from -> to` and returns its id, for {@link flowOn}. */
  addEdge(from: number, to: number, capacity: number, cost = 0): number {
    const id = this.to.length;
    this.push(from, to, capacity, cost);
    this.push(to, from, 0, -cost);
    return id;
  }

  /** Flow currently on an edge returned by {@link addEdge}. */
  flowOn(edge: number): number {
    return this.cap[edge ^ 1]!;
  }

  maxFlow(source: number, sink: number): number {
    return this.blockingFlows(source, sink, () => true);
  }

  /**
   * Maximum flow of least total cost. Starts from zero flow, which is optimal
   * for flow 0 when no cycle has negative cost (true of the planner's
   * networks: every cost is 0 or 1); each round then augments only along
   * shortest paths, which keeps the flow optimal for its value.
   */
  minCostMaxFlow(source: number, sink: number): { flow: number; cost: number } {
    let flow = 0;
    let cost = 0;
    for (;;) {
      const dist = this.shortestDistances(source);
      const d = dist[sink]!;
      if (d === Infinity) break;
      const tight = (edge: number, from: number): boolean => dist[this.to[edge]!] === dist[from]! + this.cost[edge]!;
      const pushed = this.blockingFlows(source, sink, tight);
      if (pushed === 0) break; // cannot happen with a finite distance; guards against looping forever
      flow += pushed;
      cost += pushed * d;
    }
    return { flow, cost };
  }

  private push(from: number, to: number, capacity: number, cost: number): void {
    this.to.push(to);
    this.cap.push(capacity);
    this.cost.push(cost);
    this.next.push(this.head[from]!);
    this.head[from] = this.to.length - 1;
  }

  /** Dinic: repeated BFS level graphs over `usable` edges, each saturated by DFS. */
  private blockingFlows(source: number, sink: number, usable: (edge: number, from: number) => boolean): number {
    let total = 0;
    while (this.buildLevels(source, sink, usable)) {
      for (let v = 0; v < this.nodeCount; v++) this.cursor[v] = this.head[v]!;
      for (;;) {
        const pushed = this.augment(source, sink, Infinity, usable);
        if (pushed === 0) break;
        total += pushed;
      }
    }
    return total;
  }

  private buildLevels(source: number, sink: number, usable: (edge: number, from: number) => boolean): boolean {
    this.level.fill(-1);
    this.level[source] = 0;
    const queue = [source];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i]!;
      for (let e = this.head[u]!; e !== -1; e = this.next[e]!) {
        const v = this.to[e]!;
        if (this.cap[e]! > 0 && this.level[v] === -1 && usable(e, u)) {
          this.level[v] = this.level[u]! + 1;
          queue.push(v);
        }
      }
    }
    return this.level[sink] !== -1;
  }

  // Recursion depth is the length of a level-graph path. A path never visits a
  // node twice and, in the planner's networks, alternates class nodes with
  // server nodes (three per server), so its length is bounded by the server
  // count, whatever the number of groups.
  private augment(u: number, sink: number, limit: number, usable: (edge: number, from: number) => boolean): number {
    if (u === sink) return limit;
    for (let e = this.cursor[u]!; e !== -1; e = this.next[e]!, this.cursor[u] = e) {
      const v = this.to[e]!;
      if (this.cap[e]! <= 0 || this.level[v] !== this.level[u]! + 1 || !usable(e, u)) continue;
      const pushed = this.augment(v, sink, Math.min(limit, this.cap[e]!), usable);
      if (pushed > 0) {
        this.cap[e] = this.cap[e]! - pushed;
        this.cap[e ^ 1] = this.cap[e ^ 1]! + pushed;
        return pushed;
      }
    }
    this.cursor[u] = -1;
    return 0;
  }

  /** Bellman-Ford with a queue (SPFA): residual costs can be negative, cycles cannot. */
  private shortestDistances(source: number): Float64Array {
    const dist = new Float64Array(this.nodeCount).fill(Infinity);
    const queued = new Uint8Array(this.nodeCount);
    dist[source] = 0;
    const queue = [source];
    queued[source] = 1;
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i]!;
      queued[u] = 0;
      for (let e = this.head[u]!; e !== -1; e = this.next[e]!) {
        if (this.cap[e]! <= 0) continue;
        const v = this.to[e]!;
        const candidate = dist[u]! + this.cost[e]!;
        if (candidate < dist[v]!) {
          dist[v] = candidate;
          if (!queued[v]) {
            queued[v] = 1;
            queue.push(v);
          }
        }
      }
    }
    return dist;
  }
}
