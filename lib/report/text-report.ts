import type { Report, ReportFinding } from '../epoch/report.js';
import { checkNotes } from './check-notes.js';

/** A human reading of a report: verdict line first, then what to do. */
export function formatText(report: Report): string {
  const lines: string[] = [verdict(report)];
  for (const notice of report.notices) lines.push(`note: ${notice}`);
  if (report.confirmation) lines.push(confirmationLine(report.confirmation));
  for (const note of checkNotes(report)) lines.push(`note: ${note}`);
  for (const finding of report.findings) lines.push('', ...formatFinding(finding));
  if (report.resolved.length > 0) {
    lines.push('', 'Resolved since the last epoch:');
    for (const r of report.resolved) {
      lines.push(`  [RESOLVED] ${r.check} ${r.subject} after ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}: ${r.summary}`);
    }
  }
  if (report.servers.length > 0) lines.push('', ...serverTable(report));
  return `${lines.join('\n')}\n`;
}

function verdict(report: Report): string {
  const { critical, warning, resolved } = report.counts;
  const parts = [`${critical} critical`, `${warning} warning`];
  if (resolved > 0) parts.push(`${resolved} resolved`);
  return `${report.status.toUpperCase()} ${report.cluster} epoch ${report.epoch.id}: ${parts.join(', ')} (${report.servers.length} servers answered, ${report.epoch.durationMs} ms)`;
}

function formatFinding(f: ReportFinding): string[] {
  const life = f.lifecycle;
  const age = life.state === 'new' ? 'new' : `ongoing for ${life.epochs} epochs since ${life.firstSeen}`;
  const lines = [
    `[${f.severity.toUpperCase()}] ${f.check} ${f.subject} (${age}${life.persistent ? ', persistent' : ', transient so far'})`,
    `  ${f.summary}`,
  ];
  const counts = f.details.counts as Record<string, { streams: number; consumers: number; total: number }> | undefined;
  if (counts && typeof counts === 'object') {
    lines.push('  leaders per server (streams / consumers / total):');
    for (const [server, c] of Object.entries(counts)) lines.push(`    ${server.padEnd(16)} ${c.streams} / ${c.consumers} / ${c.total}`);
  }
  const vantages = f.details.failedVantages as { url: string; error: string }[] | undefined;
  if (Array.isArray(vantages) && vantages.length > 0) {
    lines.push('  vantages that heard nothing:');
    for (const v of vantages) lines.push(`    ${v.url}: ${v.error}`);
  }
  lines.push('  Remediation:');
  f.remediation.forEach((step, i) => lines.push(`    ${i + 1}. ${step}`));
  return lines;
}

function serverTable(report: Report): string[] {
  const header = ['server', 'cluster', 'version', 'meta leader', 'latency', 'clock skew'];
  const rows = report.servers.map((s) => [
    s.name,
    s.cluster ?? '-',
    s.version,
    s.metaLeader ?? '(none)',
    `${s.latencyMs} ms`,
    s.clockSkewMs === null ? '-' : `${s.clockSkewMs} ms`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return ['Servers:', render(header), ...rows.map(render)];
}

/** What the second sample of the epoch said about the election signs of the first. */
function confirmationLine(c: NonNullable<Report['confirmation']>): string {
  const list = (signs: readonly { subject: string; summary: string }[]) => signs.map((x) => `${x.subject} (${x.summary})`).join('; ');
  if (c.resampleError !== undefined && c.resamples === 0) return `note: signs of an election (${list(c.seen)}); sampling again after ${c.delayMs} ms failed (${c.resampleError}), so the first sample was judged`;
  if (c.outOfTime && c.resamples === 0) return `note: signs of an election (${list(c.seen)}); no time was left to sample again after ${c.delayMs} ms, so the first sample was judged`;
  const parts = [
    c.confirmed.length > 0 ? `still there: ${list(c.confirmed)}` : '',
    c.cleared.length > 0 ? `gone (an election that ended): ${list(c.cleared)}` : '',
    c.appeared.length > 0 ? `new: ${list(c.appeared)}` : '',
  ].filter((p) => p);
  const times = c.resamples === 1 ? `again after ${c.delayMs} ms` : `${c.resamples} more times, ${c.delayMs} ms apart,`;
  const failed = c.resampleError === undefined ? '' : `; sampling once more failed (${c.resampleError}), so the last sample taken was judged`;
  const outOfTime = c.outOfTime ? '; no time was left to sample once more, so the last sample taken was judged' : '';
  return `note: sampled ${times} to confirm signs of an election; ${parts.join('; ')}${failed}${outOfTime}`;
}
