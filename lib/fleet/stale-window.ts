import { longestGapMinutes } from './schedule-gap.js';

/** When a cluster counts as no longer audited: how long the watchdog waits for its next recorded run. */
export const STALE_WINDOW = {
  /** Shortest window: at a one-minute schedule, two firings in a row left no record. */
  minMinutes: 3,
  /** Firings that may pass without a record: one can be a retry still in flight, two in a row are an outage. */
  intervals: 2,
  /** Added to the intervals: a run is recorded at its end, up to the function's timeout (60 s) after it fired. */
  graceMinutes: 1,
} as const;

/**
 * Minutes after a cluster's last recorded run at which the watchdog calls it
 * stale: two intervals of its schedule plus a minute, at least three. Throws
 * a RangeError when the schedule's interval cannot be told without a calendar.
 */
export function staleWindowMinutes(expression: string): number {
  const gap = longestGapMinutes(expression);
  if (gap === undefined) {
    throw new RangeError(
      `cannot tell how often ${expression} runs, so the watchdog cannot tell when its runs stopped; use rate(...) or a cron(...) that runs every day with plain minute and hour fields`,
    );
  }
  return Math.max(STALE_WINDOW.minMinutes, STALE_WINDOW.intervals * gap + STALE_WINDOW.graceMinutes);
}
