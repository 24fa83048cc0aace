import type { LoadRates } from '../load/group-rates.js';
import type { Observation } from '../observation/types.js';
import type { Endpoint } from '../domain/raw-sample.js';

export type Severity = 'warning' | 'critical';

/** A tunable number of a check, e.g. the ratio above which a server is "hot". */
export interface ThresholdSpec<Key extends string = string> {
  readonly key: Key;
  readonly description: string;
  readonly default: number;
  readonly unit: 'ratio' | 'count' | 'ms' | 'epochs' | 'seconds' | 'messages/s';
  /** Smallest accepted value (inclusive). */
  readonly min: number;
}

/** What a check knows of the past: one summary per recent epoch, oldest first. */
export interface EpochSummary {
  readonly id: number;
  readonly startedAt: number;
  /** Meta leader per meta group key (JetStream domain), as the majority of its servers reported it; null when none. */
  readonly metaLeaders: Readonly<Record<string, string | null>>;
  /** Every server name the epoch knew of, so a server silent now can still be named. */
  readonly knownServers?: readonly string[];
}

export interface CheckContext<Key extends string = string> {
  readonly observation: Observation;
  /** Earlier epochs, oldest first, not including this one. */
  readonly history: readonly EpochSummary[];
  /** Every threshold of this check, defaults already applied (judge fills each declared key). */
  readonly thresholds: Readonly<Record<Key, number>>;
  /** Group rates since the last epoch that remembered counters (lib/load); absent on a first epoch, or when no counters were remembered. */
  readonly load?: LoadRates | undefined;
}

/** A finding as a check reports it, before lifecycle (new/ongoing/persistent) is known. */
export interface FindingDraft {
  /** What the finding is about, stable across epochs (e.g. `meta:default`, `server:n2`): with the check id it identifies the finding. */
  readonly subject: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Commands and steps an operator would run, in order. */
  readonly remediation: readonly string[];
  /** Raise to critical once the finding has persisted (a passing election is not an incident; a lasting one is). */
  readonly escalateWhenPersistent?: boolean;
}

/**
 * A subject a check could not judge this epoch, though it read it (leader
 * counts caught mid-election, an expected server silent): its open finding
 * carries over as it was, neither seen nor resolved, so an election does not
 * resolve a finding and restart its persistence.
 */
export interface Unjudged {
  /** The subject, as the check's findings name it (e.g. `cluster:c1`), or `*` for every subject of the check. */
  readonly subject: string;
  /** Why, for the report: e.g. "an election in progress: no server names a leader of ...". */
  readonly reason: string;
}

/** What a check that can leave subjects unjudged returns. */
export interface CheckVerdict {
  readonly findings: readonly FindingDraft[];
  readonly unjudged: readonly Unjudged[];
}

/** An exception to "elections never page", declared in a check's definition and listed by `nats-audit checks`. */
export interface CriticalAtFirstSight {
  /** The condition that is critical at once, e.g. "two servers each claim leadership". */
  readonly when: string;
  /** Why no passing election explains it. */
  readonly reason: string;
}

/**
 * A check as data. `Key` is the union of its threshold keys: written with
 * {@link defineCheck}, `run` sees `thresholds` typed by what the check
 * declares, so it cannot read a key it did not declare.
 */
export interface CheckDefinition<Key extends string = string> {
  /** Stable snake_case id used in output, state, notifications and `--skip`. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Endpoints whose replies the check reads. */
  readonly reads: readonly Endpoint[];
  readonly severities: readonly Severity[];
  readonly thresholds: readonly ThresholdSpec<Key>[];
  /**
   * The one case in which this check's finding is critical the first time it
   * is seen, and why that cannot be an election. Without it, a critical
   * draft starts as a warning and becomes critical only once persistent
   * (judge enforces this): a Raft election settles in seconds, and a page
   * for one that is already over teaches people to ignore pages.
   */
  readonly criticalAtFirstSight?: CriticalAtFirstSight;
  // Method syntax on purpose: a check typed by its own keys is then still a
  // CheckDefinition (of any keys) for the registry and judge, which give it
  // exactly the keys it declared.
  run(context: CheckContext<Key>): readonly FindingDraft[] | CheckVerdict;
}

/** A check's result in one shape: its drafts, and what it could not judge (nothing, for a check that returns drafts alone). */
export function verdictOf(result: readonly FindingDraft[] | CheckVerdict): CheckVerdict {
  return 'findings' in result ? result : { findings: result, unjudged: [] };
}
