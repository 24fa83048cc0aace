import { CONSUMER, STREAM, type Caps, type Family, type Item, type Kind } from './model.js';

/**
 * Exchange partners the tie-break may examine, per counted group: keeps it
 * linear however many candidates would bring their own family together.
 * Generous: 100k groups over 5 servers, most families on one server, use
 * about five per group.
 */
const PARTNER_CHECKS_PER_GROUP = 64;

const KINDS: readonly Kind[] = [STREAM, CONSUMER];

/**
 * Which server leads each counted group in the plan being built, with the
 * per-server and per-family counts the tie-break needs kept up to date.
 */
export class Arrangement {
  /** Server index leading each item. */
  readonly serverOf: Int32Array;
  readonly total: Int32Array;
  /** Indexed by Kind, then server. */
  readonly byKind: readonly [Int32Array, Int32Array];
  /** Per family: server -> how many of its members that server leads. */
  private readonly familyOn: Map<number, number>[];
  /** Exchange candidates, by {@link partnerKey}. */
  private readonly partners = new Map<number, Set<number>>();
  private partnerChecksLeft: number;

  constructor(
    private readonly serverCount: number,
    private readonly items: readonly Item[],
    private readonly families: readonly Family[],
    initial: Int32Array,
  ) {
    this.serverOf = Int32Array.from(initial);
    this.total = new Int32Array(serverCount);
    this.byKind = [new Int32Array(serverCount), new Int32Array(serverCount)];
    this.familyOn = families.map(() => new Map<number, number>());
    for (let i = 0; i < items.length; i++) this.count(i, 1);
    this.partnerChecksLeft = PARTNER_CHECKS_PER_GROUP * items.length;
  }

  /**
   * The tie-break: for each family (a stream and its consumers) led entirely
   * by one server s, look for an equally good arrangement that splits it up:
   *
   *   - redirect: one member goes from s to another server t it may be led by;
   *   - exchange: one member goes from s to t while another group (of either
   *     kind) comes to s in its place (from t: a swap; from a third server: a
   *     rotation), or leaves t for a third server to make room.
   *
   * A change is made only when every server stays within the optimal bounds,
   * the servers' totals stay the same multiset (so the sorted load vector
   * even-out.ts reached is kept), the move count does not grow, and the partner's own family does not end
   * up led by one server; so the objective never changes, every change
   * lowers the number of families led by one server, and one pass suffices.
   * It is a local search, not an exact optimum: splitting a family can take
   * a longer chain of changes.
   */
  separateFamilies(caps: Caps): void {
    for (let f = 0; f < this.families.length; f++) {
      const s = this.colocatedOn(f);
      if (s >= 0) this.split(f, s, caps);
    }
  }

  /** The server leading every member of family f, or -1. */
  colocatedOn(f: number): number {
    const members = this.families[f]!.items;
    const server = this.serverOf[members[0]!]!;
    return this.familyOn[f]!.get(server) === members.length ? server : -1;
  }

  private split(f: number, s: number, caps: Caps): boolean {
    const members = this.families[f]!.items;
    for (const i of members) {
      const item = this.items[i]!;
      for (const t of item.allowed) {
        if (t === s || moveCost(item, t) > moveCost(item, s) || !this.fitsAfter(caps, item.kind, s, t)) continue;
        this.move(i, t);
        return true;
      }
    }
    for (const i of members) {
      const item = this.items[i]!;
      for (const t of item.allowed) {
        if (t === s) continue;
        // The partner's change in move count may at most offset this one's.
        const costI = moveCost(item, t) - moveCost(item, s);
        for (const kind of KINDS) {
          for (let other = 0; other < this.serverCount; other++) {
            for (let costJ = -1; costJ <= -costI; costJ++) {
              // Someone comes to s in its place (from t: a swap; or from elsewhere) ...
              if (other !== s && this.fitsAfter(caps, item.kind, s, t, kind, other, s)) {
                const j = this.partner(this.partnerKey(kind, s, other, costJ), s);
                if (j >= 0) return this.exchange(i, t, j, s);
              }
              // ... or someone leaves t for a third server to make room.
              if (other !== s && other !== t && this.fitsAfter(caps, item.kind, s, t, kind, t, other)) {
                const j = this.partner(this.partnerKey(kind, other, t, costJ), other);
                if (j >= 0) return this.exchange(i, t, j, other);
              }
            }
          }
        }
      }
    }
    return false;
  }

  /**
   * A group from the bucket whose own family would not end up led by `to`
   * alone (the family being split gains nothing if another one forms). A
   * rejected candidate goes to the back of its bucket, so the next search
   * there starts with others instead of re-reading the same ones.
   */
  private partner(key: number, to: number): number {
    const candidates = this.partners.get(key);
    if (!candidates) return -1;
    let unread = candidates.size; // rejected candidates re-enter the set; read each once
    for (const j of candidates) {
      if (unread-- === 0 || this.partnerChecksLeft <= 0) return -1;
      this.partnerChecksLeft--;
      const family = this.items[j]!.family;
      if (family < 0 || this.familyOn[family]!.get(to) !== this.families[family]!.items.length - 1) return j;
      candidates.delete(j);
      candidates.add(j);
    }
    return -1;
  }

  private exchange(i: number, iTo: number, j: number, jTo: number): true {
    this.move(i, iTo);
    this.move(j, jTo);
    return true;
  }

  /** Whether every server stays within the bounds, with the same multiset of totals, after one or two moves of a group of a kind, from, to. */
  private fitsAfter(caps: Caps, kind: Kind, from: number, to: number, kind2?: Kind, from2?: number, to2?: number): boolean {
    const second = kind2 !== undefined && from2 !== undefined && to2 !== undefined;
    const touched = [...new Set(second ? [from, to, from2, to2] : [from, to])];
    const totalsBefore = sortedTotals(this.total, touched);
    this.shift(kind, from, to, 1);
    if (second) this.shift(kind2, from2, to2, 1);
    // Within the bounds, and the servers' totals the same as a multiset: the even-out (even-out.ts) stays.
    const fits =
      touched.every((u) => this.within(caps, u)) && sortedTotals(this.total, touched).every((x, i) => x === totalsBefore[i]);
    if (second) this.shift(kind2, from2, to2, -1);
    this.shift(kind, from, to, -1);
    return fits;
  }

  private shift(kind: Kind, from: number, to: number, n: number): void {
    this.total[from] = this.total[from]! - n;
    this.total[to] = this.total[to]! + n;
    this.byKind[kind][from] = this.byKind[kind][from]! - n;
    this.byKind[kind][to] = this.byKind[kind][to]! + n;
  }

  private within(caps: Caps, u: number): boolean {
    return this.total[u]! <= caps.total && this.byKind[STREAM][u]! <= caps.byKind[STREAM] && this.byKind[CONSUMER][u]! <= caps.byKind[CONSUMER];
  }

  private move(i: number, to: number): void {
    this.count(i, -1);
    this.serverOf[i] = to;
    this.count(i, 1);
  }

  private count(i: number, delta: 1 | -1): void {
    const item = this.items[i]!;
    const u = this.serverOf[i]!;
    this.total[u] = this.total[u]! + delta;
    this.byKind[item.kind][u] = this.byKind[item.kind][u]! + delta;
    if (item.family >= 0) {
      const on = this.familyOn[item.family]!;
      on.set(u, (on.get(u) ?? 0) + delta);
    }
    for (const s of item.allowed) {
      if (s === u) continue;
      const key = this.partnerKey(item.kind, s, u, moveCost(item, s) - moveCost(item, u));
      let partners = this.partners.get(key);
      if (!partners) this.partners.set(key, (partners = new Set()));
      if (delta > 0) partners.add(i);
      else partners.delete(i);
    }
  }

  /** Bucket of groups of `kind` led by `on` that may be led by `to`, whose move count changes by `cost` if they go there. */
  private partnerKey(kind: number, to: number, on: number, cost: number): number {
    return ((kind * this.serverCount + to) * this.serverCount + on) * 3 + cost + 1;
  }
}

function sortedTotals(total: Int32Array, servers: readonly number[]): number[] {
  return servers.map((u) => total[u]!).sort((a, b) => a - b);
}

/** 1 when leading from `server` means stepping the group's leader down. */
function moveCost(group: { readonly leader: number }, server: number): number {
  return server === group.leader ? 0 : 1;
}
