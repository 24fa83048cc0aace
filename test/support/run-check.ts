/**
 * Runs one check the way `judge` does (defaults applied, overrides on top),
 * but lets a throwing check throw so a test sees the error.
 */
import { verdictOf, type CheckDefinition, type CheckVerdict, type EpochSummary, type FindingDraft } from '../../lib/checks/types.js';
import type { LoadRates } from '../../lib/load/group-rates.js';
import { observe } from '../../lib/observation/observe.js';
import type { Observation } from '../../lib/observation/types.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';

export interface RunOptions {
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly history?: readonly EpochSummary[];
  readonly load?: LoadRates;
}

export function runCheck(check: CheckDefinition, input: Observation | RawSample, options: RunOptions = {}): readonly FindingDraft[] {
  return runCheckVerdict(check, input, options).findings;
}

/** The check's drafts and the subjects it could not judge. */
export function runCheckVerdict(check: CheckDefinition, input: Observation | RawSample, options: RunOptions = {}): CheckVerdict {
  const observation = 'type' in input ? observe(input) : input;
  const thresholds: Record<string, number> = {};
  for (const t of check.thresholds) thresholds[t.key] = options.thresholds?.[t.key] ?? t.default;
  return verdictOf(check.run({ observation, history: options.history ?? [], thresholds, load: options.load }));
}

/** The only finding, failing the test when there is none or more than one. */
export function onlyFinding(findings: readonly FindingDraft[]): FindingDraft {
  if (findings.length !== 1) {
    throw new Error(`expected exactly one finding, got ${findings.length}: ${findings.map((f) => f.summary).join(' | ')}`);
  }
  return findings[0]!;
}
