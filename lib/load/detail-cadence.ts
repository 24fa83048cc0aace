/**
 * How often an epoch asks every server for stream detail so that rates can
 * be computed. Servers before 2.11.11 (and 2.12.0) send detail every epoch
 * anyway; where every server counts its own leaders the counts path asks
 * only hot servers, so without this a count-balanced cluster would never
 * show its load. Pure.
 */
import type { EncodedLoadSnapshot } from './load-snapshot.js';

/**
 * Every 5th epoch by default: at a 1-minute schedule a rate over 5 minutes,
 * for a fifth of the detail bytes a per-epoch rate would cost (BENCHMARKS.md,
 * "load detail cadence").
 */
export const DEFAULT_LOAD_DETAIL_EVERY = 5;

/** Whether epoch `epoch` should ask every server for detail: nothing remembered yet, or the newest counters `every` epochs old. */
export function loadDetailDue(remembered: Pick<EncodedLoadSnapshot, 'epoch' | 's'> | undefined, epoch: number, every: number): boolean {
  if (remembered === undefined || remembered.s.length === 0) return true;
  return epoch - remembered.epoch >= every;
}
