/**
 * How long a cluster's schedule can go between two runs, and from that the
 * window of its missing-heartbeat alarm. Pure functions, so the arithmetic is
 * tested without synthesizing anything.
 */

const MINUTES_PER_DAY = 24 * 60;

export const HEARTBEAT_WINDOW = {
  /** Shortest window: below 5 minutes a single late EMF extraction pages someone. */
  minMinutes: 5,
  /** Intervals the window spans: one missed run is retried by the scheduler, three in a row are an outage. */
  intervals: 3,
  /** CloudWatch evaluates an alarm over at most one day (period × evaluation periods). */
  maxMinutes: MINUTES_PER_DAY,
} as const;

/**
 * The longest gap in minutes between two runs of an EventBridge Scheduler
 * `rate(...)` or `cron(...)` expression, or undefined when it cannot be told
 * without a calendar (a cron that names days, months or years, or a field
 * this parser does not read such as `L` or `#`).
 */
export function longestGapMinutes(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  if (rate) {
    const unit = rate[2]!.startsWith('minute') ? 1 : rate[2]!.startsWith('hour') ? 60 : MINUTES_PER_DAY;
    return Number(rate[1]) * unit;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) return undefined;
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  const everyDay = [dayOfMonth, dayOfWeek].every((f) => f === '*' || f === '?') && month === '*' && year === '*';
  if (!everyDay) return undefined;
  const minutes = expandField(minute, 0, 59);
  const hours = expandField(hour, 0, 23);
  if (!minutes || !hours) return undefined;
  const firings = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  let gap = firings[0]! + MINUTES_PER_DAY - firings[firings.length - 1]!;
  for (let i = 1; i < firings.length; i++) gap = Math.max(gap, firings[i]! - firings[i - 1]!);
  return gap;
}

/** Values of one cron field (`*`, `5`, `1-5`, `0/15`, `10-50/20`, a star with a step, lists of these), or undefined when not understood. */
function expandField(field: string, min: number, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const start = m[1] === '*' ? min : Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[3] !== undefined ? max : start;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (start < min || end > max || start > end || step < 1) return undefined;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return [...values];
}

/**
 * Minutes of the missing-heartbeat alarm's window for a schedule: three
 * intervals, at least five minutes. Throws when the window cannot be derived
 * or would exceed what one CloudWatch alarm can evaluate.
 */
export function heartbeatWindowMinutes(expression: string): number {
  const gap = longestGapMinutes(expression);
  if (gap === undefined) {
    throw new RangeError(
      `cannot tell how often ${expression} runs, so its missing-heartbeat alarm has no window; use rate(...) or a cron(...) that runs every day with plain minute and hour fields`,
    );
  }
  const window = Math.max(HEARTBEAT_WINDOW.minMinutes, HEARTBEAT_WINDOW.intervals * gap);
  if (window > HEARTBEAT_WINDOW.maxMinutes) {
    throw new RangeError(
      `${expression} can leave ${gap} minutes between runs; its missing-heartbeat alarm must span ${HEARTBEAT_WINDOW.intervals} runs within CloudWatch's one-day limit, so runs must be at most ${HEARTBEAT_WINDOW.maxMinutes / HEARTBEAT_WINDOW.intervals} minutes apart`,
    );
  }
  return window;
}
