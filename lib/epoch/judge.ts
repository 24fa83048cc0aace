import type { CheckRegistry } from '../checks/registry.js';
import { verdictOf, type CheckContext, type CheckDefinition, type FindingDraft, type Unjudged } from '../checks/types.js';
import { errorText } from '../util/error-text.js';

export interface CheckSettings {
  /** Check ids not to run. */
  readonly skip: ReadonlySet<string>;
  /** Overrides per check id and threshold key; validated against the registry beforehand. */
  readonly thresholds: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface CheckedDraft extends FindingDraft {
  readonly check: string;
}

export interface CheckRun {
  readonly check: string;
  readonly outcome: 'pass' | 'findings' | 'skipped' | 'error';
  readonly error?: string;
  /** Subjects the check could not judge this epoch, and why: their open findings carry over. */
  readonly unjudged?: readonly Unjudged[];
}

/**
 * Runs every registered check over one observation. A check that throws is
 * recorded as an error and the others still run: one broken check must not
 * silence the rest during an incident.
 */
export function judge(
  registry: CheckRegistry,
  context: Omit<CheckContext, 'thresholds'>,
  settings: CheckSettings,
): { drafts: CheckedDraft[]; runs: CheckRun[] } {
  const drafts: CheckedDraft[] = [];
  const runs: CheckRun[] = [];
  for (const check of registry.all()) {
    if (settings.skip.has(check.id)) {
      runs.push({ check: check.id, outcome: 'skipped' });
      continue;
    }
    const thresholds: Record<string, number> = {};
    for (const t of check.thresholds) thresholds[t.key] = settings.thresholds[check.id]?.[t.key] ?? t.default;
    try {
      const { findings, unjudged } = verdictOf(check.run({ ...context, thresholds }));
      drafts.push(...findings.map((d) => ({ ...startLower(check, d), check: check.id })));
      runs.push({ check: check.id, outcome: findings.length > 0 ? 'findings' : 'pass', ...(unjudged.length > 0 ? { unjudged } : {}) });
    } catch (error) {
      runs.push({ check: check.id, outcome: 'error', error: errorText(error) });
    }
  }
  return { drafts, runs };
}

/**
 * Elections never page: a critical draft of a check that declares no
 * `criticalAtFirstSight` exception starts as a warning and is raised to
 * critical by the lifecycle once it persists. A draft already escalating
 * keeps its own rule.
 */
function startLower(check: CheckDefinition, draft: FindingDraft): FindingDraft {
  if (draft.severity !== 'critical' || check.criticalAtFirstSight !== undefined) return draft;
  return { ...draft, severity: 'warning', escalateWhenPersistent: true };
}
