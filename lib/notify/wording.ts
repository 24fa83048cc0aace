import type { Notification, Transition } from './types.js';
import { formatDuration } from './text.js';

/** Short transition words for subject lines and titles. */
export const TRANSITION_TAG: Readonly<Record<Transition, string>> = {
  new: 'new',
  became_persistent: 'persistent',
  severity_raised: 'now critical',
  reminder: 'still open',
  resolved: 'resolved',
  remediation: 'auto-remediation',
  persistence_unknown: 'persistence unknown',
};

/** The severity tag a reader scans for: a resolution is good news whatever it was. */
export function severityTag(n: Notification): string {
  return n.transition === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase();
}

/** One sentence saying what changed, for the body of a message. */
export function whatChanged(n: Notification): string {
  const life = n.finding?.lifecycle;
  const seen = life ? `seen in ${plural(life.epochs, 'consecutive epoch')} since ${life.firstSeen}` : '';
  switch (n.transition) {
    case 'new':
      return life && life.epochs > 1 ? `Not notified before; ${seen}.` : 'New this epoch.';
    case 'became_persistent':
      return `Became persistent: ${seen}.`;
    case 'severity_raised':
      return `Severity raised to critical; ${seen}.`;
    case 'reminder':
      return `Still open and critical; ${seen}.${n.lastNotifiedAt ? ` Last notified ${n.lastNotifiedAt} (${ago(n)} before this epoch).` : ''}`;
    case 'resolved': {
      const r = n.resolved;
      return r ? `Resolved at ${r.resolvedAt}, after ${plural(r.epochs, 'epoch')} (first seen ${r.firstSeen}).` : 'Resolved.';
    }
    case 'remediation':
      return 'The auditor acted on this finding itself, as configured (autoRebalance); the actions and their outcomes follow.';
    case 'persistence_unknown':
      return 'The previous audit state could not be read, so whether this is new or persistent is unknown; this notice repeats every epoch until state is readable again.';
  }
}

function ago(n: Notification): string {
  return formatDuration(Date.parse(n.epoch.startedAt) - Date.parse(n.lastNotifiedAt ?? n.epoch.startedAt));
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
