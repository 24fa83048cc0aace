import type { Severity } from '../checks/types.js';
import { findingKey } from '../epoch/lifecycle.js';
import type { EpochDelivery } from '../epoch/run-epoch.js';
import type { Report, ReportFinding, ReportResolved } from '../epoch/report.js';
import type { OpenFinding } from '../state/audit-state.js';
import type { Notification, NotifiedServer, NotifyPolicy, Transition } from './types.js';

const RANK: Readonly<Record<Severity, number>> = { warning: 0, critical: 1 };

/**
 * Which notifications an epoch calls for: transitions only, so an unchanged
 * finding is announced once (plus reminders for open criticals), and a healthy
 * epoch sends nothing. Pure: the same delivery always gives the same list.
 */
export function selectNotifications(delivery: EpochDelivery, policy: NotifyPolicy): Notification[] {
  if (!Number.isFinite(policy.reminderMs) || policy.reminderMs < 0) {
    throw new RangeError(`reminderMs must be a finite number >= 0, got ${policy.reminderMs}`);
  }
  const { report } = delivery;
  const previous = new Map(delivery.previousOpen.map((f) => [findingKey(f.check, f.subject), f]));
  const base = baseOf(report);
  const out: Notification[] = [];

  for (const finding of report.findings) {
    if (RANK[finding.severity] < RANK[policy.minSeverity]) continue;
    const prior = previous.get(findingKey(finding.check, finding.subject));
    const chosen = transitionFor(finding, prior, delivery.now, policy.reminderMs);
    if (chosen === undefined) continue;
    out.push({
      ...base,
      check: finding.check,
      subject: finding.subject,
      severity: finding.severity,
      transition: chosen,
      summary: finding.summary,
      finding,
      ...(chosen === 'reminder' && prior?.notifiedAt !== undefined ? { lastNotifiedAt: iso(prior.notifiedAt) } : {}),
    });
  }

  for (const resolved of report.resolved) {
    const prior = previous.get(findingKey(resolved.check, resolved.subject));
    if (!resolutionWanted(resolved, prior, policy.minSeverity)) continue;
    out.push({
      ...base,
      check: resolved.check,
      subject: resolved.subject,
      // The worst it reached: whoever was paged for the critical hears it end.
      severity: resolved.peakSeverity,
      transition: 'resolved',
      summary: resolved.summary,
      resolved,
    });
  }
  return out;
}

/** Open findings among the notifications, for `DeliveryResult.notified` (their `notifiedAt` drives reminders). */
export function notifiedFindings(notifications: readonly Notification[]): { check: string; subject: string }[] {
  return notifications
    .filter((n) => n.finding !== undefined)
    .map((n) => ({ check: n.check, subject: n.subject }));
}

function transitionFor(
  finding: ReportFinding,
  prior: OpenFinding | undefined,
  now: number,
  reminderMs: number,
): Transition | undefined {
  // Without the last epoch nothing can be compared: say so every epoch rather than stay silent.
  if (!finding.lifecycle.known) return 'persistence_unknown';
  if (!prior) return 'new';
  if (prior.notifiedAt === undefined) {
    // Subscribers never heard of it: filtered out below minSeverity until now, or
    // open since before notifications were enabled. Tell them once, by what changed for them.
    return prior.severity === 'warning' && finding.severity === 'critical' ? 'severity_raised' : 'new';
  }
  switch (finding.lifecycle.transition) {
    case 'became_persistent':
      return 'became_persistent';
    case 'severity_raised':
      return 'severity_raised';
    case 'new':
      // Lifecycle says new while a prior exists only if state and report disagree; announce it.
      return 'new';
    case 'severity_lowered':
      // Not an event subscribers act on; the resolution will be announced.
      return undefined;
    default:
      return reminderDue(finding, prior.notifiedAt, now, reminderMs) ? 'reminder' : undefined;
  }
}

function reminderDue(finding: ReportFinding, notifiedAt: number, now: number, reminderMs: number): boolean {
  return reminderMs > 0 && finding.severity === 'critical' && now - notifiedAt >= reminderMs;
}

/**
 * A resolution is news to whoever heard of the finding (it was notified, even
 * at a severity now filtered out), and to anyone whose threshold it meets.
 */
function resolutionWanted(resolved: ReportResolved, prior: OpenFinding | undefined, minSeverity: Severity): boolean {
  return prior?.notifiedAt !== undefined || RANK[resolved.peakSeverity] >= RANK[minSeverity];
}

function baseOf(report: Report): Pick<Notification, 'cluster' | 'epoch' | 'servers' | 'notices'> {
  const servers: NotifiedServer[] = report.servers.map((s) => ({
    name: s.name,
    cluster: s.cluster,
    version: s.version,
    metaLeader: s.metaLeader,
  }));
  return {
    cluster: report.cluster,
    epoch: { id: report.epoch.id, startedAt: report.epoch.startedAt },
    servers,
    notices: report.notices,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
