/** Epoch deliveries and notifications built by hand, for the notifier's tests. */
import type { Finding, ResolvedFinding } from '../../../lib/epoch/lifecycle.js';
import type { EpochDelivery } from '../../../lib/epoch/run-epoch.js';
import { selectNotifications } from '../../../lib/notify/select-notifications.js';
import type { Notification, NotifyPolicy } from '../../../lib/notify/types.js';
import type { OpenFinding } from '../../../lib/state/audit-state.js';
import { MINUTE, disagreementCritical, finding, report, resolvedSkew, unevenWarning } from '../../support/report-fixtures.js';
import { T0 } from '../../support/sample-builder.js';

export { MINUTE, T0, disagreementCritical, finding, resolvedSkew, unevenWarning };

export const HOUR = 60 * MINUTE;

/** When the epoch under test judged its findings. */
export const NOW = T0;

export const WARNING_ONLY: NotifyPolicy = { reminderMs: 0, minSeverity: 'warning' };
export const CRITICAL_ONLY: NotifyPolicy = { reminderMs: 0, minSeverity: 'critical' };

/** What the previous epoch left open for `f`, notified (or not) at `notifiedAt`. */
export function openFinding(
  f: Pick<Finding, 'check' | 'subject' | 'severity'> & Partial<OpenFinding>,
  notifiedAt?: number,
): OpenFinding {
  return {
    summary: `${f.check} about ${f.subject}`,
    firstSeen: T0 - 10 * MINUTE,
    lastSeen: T0 - MINUTE,
    epochs: 1,
    persistent: false,
    ...f,
    ...(notifiedAt === undefined ? {} : { notifiedAt }),
  };
}

/** A finding seen again this epoch, with the lifecycle fields a transition implies. */
export function ongoing(
  base: Finding,
  transition: Finding['lifecycle']['transition'],
  overrides: Partial<Finding> = {},
): Finding {
  return {
    ...base,
    ...overrides,
    lifecycle: {
      state: 'ongoing',
      persistent: transition !== 'new',
      firstSeen: T0 - 10 * MINUTE,
      epochs: 3,
      transition,
      known: true,
    },
  };
}

export function delivery(input: {
  findings?: readonly Finding[];
  resolved?: readonly ResolvedFinding[];
  previousOpen?: readonly OpenFinding[];
  notices?: readonly string[];
  now?: number;
}): EpochDelivery {
  return {
    report: report({ findings: input.findings ?? [], resolved: input.resolved ?? [], notices: input.notices ?? [] }),
    previousOpen: input.previousOpen ?? [],
    open: [],
    now: input.now ?? NOW,
  };
}

/** One notification of `f` as new, through the real selection. */
export function notificationOf(f: Finding, notices: readonly string[] = []): Notification {
  const [n] = selectNotifications(delivery({ findings: [f], notices }), WARNING_ONLY);
  if (!n) throw new Error(`no notification selected for ${f.check}`);
  return n;
}

/** A critical new finding with evidence and commands, the way meta_leader_disagreement reports one. */
export const splitBrain: Finding = finding({
  check: 'meta_leader_disagreement',
  subject: 'meta:default',
  severity: 'critical',
  summary: '2 servers follow n3 while n1 claims leadership: n1 says n1; n2, n3 say n3',
  details: {
    views: { n1: 'n1', n2: 'n3', n3: 'n3' },
    terms: { n1: 4, n2: 5, n3: 5 },
    leaders: ['n1', 'n3'],
  },
  remediation: ['nats server request jetstream --leader', 'nats server raft step-down --cluster c1', 'Verify with nats-audit check.'],
});
