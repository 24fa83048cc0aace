import { detailsLines } from './details-text.js';
import { cleanText, clip, moreLine, toAscii, truncate } from './text.js';
import { withinLines } from '../util/bounded.js';
import type { Notification } from './types.js';
import { TRANSITION_TAG, severityTag, whatChanged } from './wording.js';

export const EMAIL_LIMITS = {
  /**
   * SNS: the subject must be "less than 100 characters", without line breaks
   * or control characters. Older SNS documentation also required ASCII, so
   * subjects are folded to ASCII: valid under either wording, whatever counts
   * as a character.
   */
  subject: 99,
  /** Body characters; far below SNS's 256 KiB even with every character escaped. */
  body: 20_000,
  /** Cluster, check and subject names in the body. */
  name: 200,
  summary: 2_000,
  servers: 40,
  /** Characters per server table cell: a hostile name must not push the table off the page. */
  serverCell: 40,
  remediation: 25,
  line: 500,
  notices: 10,
} as const;

/**
 * `[CRITICAL] prod-east: meta_leader_disagreement persistent - 2 servers ...`:
 * severity first, then where and what, then as much summary as fits.
 */
export function emailSubject(n: Notification): string {
  // Caps that leave room for the transition and some summary even when names are long.
  const cluster = truncate(toAscii(n.cluster.slice(0, 100)), 24, '...');
  const check = truncate(toAscii(n.check.slice(0, 100)), 36, '...');
  const head = n.transition === 'resolved' ? check : `${check} ${TRANSITION_TAG[n.transition]}`;
  const subject = `[${severityTag(n)}] ${cluster}: ${head} - ${toAscii(n.summary.slice(0, 200))}`;
  return truncate(subject, EMAIL_LIMITS.subject, '...');
}

/** Plain text for people reading mail: what happened, where, and what to run. */
export function emailBody(n: Notification): string {
  const name = (text: string) => clip(text, EMAIL_LIMITS.name);
  const lines: string[] = [
    `${severityTag(n)}: ${name(n.check)} on cluster ${name(n.cluster)} (${TRANSITION_TAG[n.transition]})`,
    '',
    clip(n.summary, EMAIL_LIMITS.summary),
    '',
    `Cluster:  ${name(n.cluster)}`,
    `Finding:  ${name(n.check)} ${name(n.subject)}`,
    `Severity: ${n.severity}${n.transition === 'resolved' ? ' (the worst it reached)' : ''}`,
    `Change:   ${whatChanged(n)}`,
    `Epoch:    ${n.epoch.id === null ? '-' : n.epoch.id} started ${n.epoch.startedAt}`,
  ];
  if (n.actions && n.actions.length > 0) lines.push('', 'Actions taken by the auditor:', ...indented(n.actions, EMAIL_LIMITS.remediation));
  const details = n.finding ? detailsLines(n.finding.details) : [];
  if (details.length > 0) lines.push('', 'Details:', ...details);
  if (n.servers.length > 0) lines.push('', `Servers that answered (${n.servers.length}):`, ...serverLines(n));
  const steps = n.finding?.remediation ?? [];
  if (steps.length > 0) lines.push('', 'Remediation (one step or command per line):', ...indented(steps, EMAIL_LIMITS.remediation));
  if (n.notices.length > 0) lines.push('', 'Auditor notes:', ...indented(n.notices, EMAIL_LIMITS.notices));
  lines.push('', '--', `nats-audit: ${n.transition} notice for ${name(n.check)} ${name(n.subject)} on ${name(n.cluster)}.`);
  return truncate(cleanText(lines.join('\n')), EMAIL_LIMITS.body) + '\n';
}

/** One item per line, as is: commands stay copy-pastable. */
function indented(items: readonly string[], max: number): string[] {
  const { shown, more } = withinLines(items, max);
  const lines = shown.map((item) => `  ${clip(item, EMAIL_LIMITS.line)}`);
  return more === 0 ? lines : [...lines, moreLine(more, '  ')];
}

function serverLines(n: Notification): string[] {
  const { shown, more } = withinLines(n.servers, EMAIL_LIMITS.servers);
  const cell = (text: string) => clip(text, EMAIL_LIMITS.serverCell);
  const rows = shown.map((s) => [cell(s.name), cell(s.version), s.metaLeader === null ? '(none)' : cell(s.metaLeader)]);
  const header = ['server', 'version', 'meta leader it reports'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  const lines = [render(header), ...rows.map(render)];
  return more === 0 ? lines : [...lines, moreLine(more, '  ')];
}
