import type { Severity } from '../checks/types.js';
import type { AuditState, OpenFinding } from '../state/audit-state.js';
import type { CheckedDraft } from './judge.js';

export interface PersistencePolicy {
  /** Consecutive epochs a finding must be seen in before it counts as persistent. */
  readonly epochs: number;
  /** And at least this long since it was first seen. */
  readonly minMs: number;
}

export const DEFAULT_PERSISTENCE: PersistencePolicy = { epochs: 2, minMs: 0 };

export interface Lifecycle {
  readonly state: 'new' | 'ongoing';
  readonly persistent: boolean;
  /** Epoch ms when first seen in this unbroken run of epochs. */
  readonly firstSeen: number;
  /** Consecutive epochs seen, this one included. */
  readonly epochs: number;
  /** What changed this epoch, for notifiers that alert on transitions. */
  readonly transition: 'new' | 'became_persistent' | 'severity_raised' | 'severity_lowered' | 'unchanged';
  /** False when the previous epoch's state could not be read: every finding then looks new. */
  readonly known: boolean;
}

export interface Finding extends CheckedDraft {
  readonly lifecycle: Lifecycle;
}

export interface ResolvedFinding {
  readonly check: string;
  readonly subject: string;
  /** Severity when last seen. */
  readonly severity: Severity;
  /** The worst severity while it was open. */
  readonly peakSeverity: Severity;
  readonly summary: string;
  readonly firstSeen: number;
  readonly resolvedAt: number;
  readonly epochs: number;
}

export function findingKey(check: string, subject: string): string {
  return `${check}\u0000${subject}`;
}

/**
 * Compares this epoch's drafts with the findings left open last epoch. A
 * finding absent for one epoch is resolved; if it returns, it starts afresh
 * as new, so "persistent" always means seen in consecutive epochs that judged
 * it. `unjudged` holds check ids (a check that failed, or judged nothing) and
 * finding keys (a subject a check could not judge): their open findings carry
 * over unchanged.
 */
export function applyLifecycle(
  drafts: readonly CheckedDraft[],
  previous: AuditState,
  now: number,
  policy: PersistencePolicy,
  previousKnown = true,
  unjudged: ReadonlySet<string> = new Set(),
): { findings: Finding[]; resolved: ResolvedFinding[]; open: OpenFinding[] } {
  // Findings of checks that could not run this epoch, or on subjects a check
  // could not judge, are neither seen nor resolved: carried over as they were
  // (unless a draft names them after all).
  const drafted = new Set(drafts.map((d) => findingKey(d.check, d.subject)));
  const isCarried = (f: OpenFinding): boolean => {
    const key = findingKey(f.check, f.subject);
    return !drafted.has(key) && (unjudged.has(f.check) || unjudged.has(key));
  };
  const carried = previous.open.filter(isCarried);
  const before = new Map(previous.open.filter((f) => !isCarried(f)).map((f) => [findingKey(f.check, f.subject), f]));
  const findings: Finding[] = [];
  const open: OpenFinding[] = [...carried];
  for (const draft of drafts) {
    const key = findingKey(draft.check, draft.subject);
    const prior = before.get(key);
    before.delete(key);
    const epochs = (prior?.epochs ?? 0) + 1;
    const firstSeen = prior?.firstSeen ?? now;
    const persistent = epochs >= policy.epochs && now - firstSeen >= policy.minMs;
    const severity: Severity = draft.escalateWhenPersistent && persistent ? 'critical' : draft.severity;
    findings.push({
      ...draft,
      severity,
      lifecycle: {
        state: prior ? 'ongoing' : 'new',
        persistent,
        firstSeen,
        epochs,
        transition: transitionOf(prior, severity, persistent),
        known: previousKnown,
      },
    });
    open.push({
      check: draft.check,
      subject: draft.subject,
      severity,
      peakSeverity: worse(severity, prior === undefined ? severity : peakOf(prior)),
      summary: draft.summary,
      firstSeen,
      lastSeen: now,
      epochs,
      persistent,
      ...(prior?.notifiedAt === undefined ? {} : { notifiedAt: prior.notifiedAt }),
    });
  }
  const resolved = [...before.values()].map((f) => ({
    check: f.check,
    subject: f.subject,
    severity: f.severity,
    peakSeverity: peakOf(f),
    summary: f.summary,
    firstSeen: f.firstSeen,
    resolvedAt: now,
    epochs: f.epochs,
  }));
  return { findings, resolved, open };
}

function peakOf(f: OpenFinding): Severity {
  return worse(f.severity, f.peakSeverity ?? f.severity);
}

function worse(a: Severity, b: Severity): Severity {
  return a === 'critical' || b === 'critical' ? 'critical' : 'warning';
}

function transitionOf(prior: OpenFinding | undefined, severity: Severity, persistent: boolean): Lifecycle['transition'] {
  if (!prior) return 'new';
  if (persistent && !prior.persistent) return 'became_persistent';
  if (severity !== prior.severity) return severity === 'critical' ? 'severity_raised' : 'severity_lowered';
  return 'unchanged';
}
