/**
 * How long a cluster's schedule can go between two runs. Pure, and low in
 * the stack: the CDK stack (refusing a schedule at synth) and the watchdog
 * (stale clusters) both judge by it, so the two cannot disagree.
 */

const MINUTES_PER_DAY = 24 * 60;

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

