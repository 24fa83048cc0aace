import type { Report } from '../epoch/report.js';

/**
 * What the report says of checks besides their findings, one line each, for
 * every rendering: a check that failed to run, and a subject a check could
 * not judge this epoch (its open finding carries over, so its absence from
 * the findings is not a resolution).
 */
export function checkNotes(report: Pick<Report, 'checks'>): string[] {
  const lines: string[] = [];
  for (const run of report.checks) {
    if (run.outcome === 'error') lines.push(`check ${run.check} failed to run: ${run.error}`);
    for (const { subject, reason } of run.unjudged ?? []) {
      lines.push(`${run.check} did not judge ${subject === '*' ? 'this epoch' : subject} (${reason}); a finding open before stays open`);
    }
  }
  return lines;
}
