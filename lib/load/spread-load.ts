/**
 * The one rule both leader_load_concentration (its step-downs) and the load
 * planner (its starting plan) use to spread write load: repeatedly take the
 * busiest server and hand its busiest stream that helps to the least loaded
 * server allowed to lead it, as long as that leaves both below the busiest
 * server's current load. A local descent: few moves, each one lowering the
 * peak or the number of servers at it; the planner then searches for the
 * optimum from there. Pure.
 */

/** Loads closer than this (messages/s) are equal: sums of floating-point rates differ in the last bits. */
export const RATE_EPSILON = 1e-6;

export interface SpreadItem {
  readonly rate: number;
  /** The server (index) leading it now. */
  readonly at: number;
  /** Other servers (indices) that may lead it. */
  readonly targets: readonly number[];
}

/** Each item's server after the descent, and the loads then; `loads` holds every server's load now, items included. */
export function spreadLoad(loads: readonly number[], items: readonly SpreadItem[]): { assignment: number[]; loads: number[] } {
  const load = [...loads];
  const assignment = items.map((i) => i.at);
  // Each step lowers the peak or the count of servers at it, so it ends; the cap only guards against float trouble.
  for (let step = 0; step < 4 * items.length + 1; step++) {
    let peak = 0;
    for (let s = 1; s < load.length; s++) if (load[s]! > load[peak]!) peak = s;
    let best: { item: number; to: number } | undefined;
    items.forEach((item, i) => {
      if (assignment[i] !== peak || item.rate <= 0 || (best && items[best.item]!.rate >= item.rate)) return;
      const to = [item.at, ...item.targets].filter((s) => s !== peak).reduce<number | undefined>((a, s) => (a === undefined || load[s]! < load[a]! ? s : a), undefined);
      if (to !== undefined && load[to]! + item.rate < load[peak]! - RATE_EPSILON) best = { item: i, to };
    });
    if (best === undefined) break;
    const rate = items[best.item]!.rate;
    load[assignment[best.item]!]! -= rate;
    load[best.to]! += rate;
    assignment[best.item] = best.to;
  }
  return { assignment, loads: load };
}
