import type { CheckRegistry } from '../checks/registry.js';
import { metaGroups, prevailingLeader } from '../checks/meta-group.js';
import type { EpochSummary, FindingDraft } from '../checks/types.js';
import { observe } from '../observation/observe.js';
import type { Observation } from '../observation/types.js';
import { buildReport, type Report } from './report.js';
import type { RawSample } from '../domain/raw-sample.js';
import { HISTORY_LIMIT, emptyState, type AuditState, type OpenFinding } from '../state/audit-state.js';
import { StateConflictError, type ConsumerCounterStore, type StateStore } from '../state/state-store.js';
import { assertAuditable } from './auditable.js';
import { judge, type CheckedDraft, type CheckRun, type CheckSettings } from './judge.js';
import { applyLifecycle, findingKey, type PersistencePolicy } from './lifecycle.js';
import { errorText } from '../util/error-text.js';
import { sleep } from '../util/sleep.js';
import { electionSigns, type ElectionSign } from '../checks/election-signs.js';
import { compareSigns, confirmedDrafts, MAX_RESAMPLES, SignWatch, type Confirmation } from './confirmation.js';
import { leaderLoadConcentration } from '../checks/leader-load-concentration.js';
import { epochLoad, type EpochLoad } from '../load/epoch-load.js';
import type { LoadRates } from '../load/group-rates.js';
import { DEFAULT_LOAD_DETAIL_EVERY, loadDetailDue } from '../load/detail-cadence.js';
import { consumerCountersDue } from '../load/consumer-counters.js';
import { rateConsumers, type ConsumerRating } from './consumer-rates.js';

/** Server names remembered per epoch; far above any real cluster, a bound on hostile input. */
const MAX_REMEMBERED_SERVERS = 1_000;

/** Finding raised when the audit itself could not run (see {@link EpochDependencies.asFinding}). */
export const AUDIT_FAILED_CHECK = 'audit_failed';

export interface EpochDependencies {
  /** Produces this epoch's raw sample: live gathering or a saved file. */
  readonly sample: (wants?: SampleWants) => Promise<RawSample>;
  /**
   * Ask every server for stream detail at least every this many epochs, so
   * leader_load_concentration has counters on clusters whose servers count
   * their own leaders (lib/load/detail-cadence.ts). The state is then read
   * before sampling, not beside it. Unset: the sampler decides alone.
   */
  readonly loadDetailEvery?: number;
  readonly store: StateStore;
  /**
   * Where consumer counters are kept, for delivery rates every
   * `loadDetailEvery` epochs (lib/load/consumer-counters.ts). Unset:
   * consumers are not rated.
   */
  readonly consumerCounters?: ConsumerCounterStore;
  readonly clusterKey: string;
  readonly registry: CheckRegistry;
  readonly checks: CheckSettings;
  readonly persistence: PersistencePolicy;
  readonly now?: () => number;
  /**
   * Hands the judged epoch to a notifier before its state is saved. If it
   * throws, the state is not saved and the error propagates, so the next
   * epoch sees the same transitions again and nothing is lost. Once it has
   * run, a save that loses a race to another epoch (StateConflictError) is
   * a report notice, not an error: what was sent cannot be recalled.
   */
  readonly deliver?: (delivery: EpochDelivery) => Promise<DeliveryResult | void>;
  /**
   * Turns an error that stopped the audit (from `sample` or the auditable
   * check) into an `audit_failed` finding instead of rethrowing it. The
   * scheduled auditor uses this so a bad secret or refused credentials page
   * once, like any finding, and resolve when fixed; the CLI leaves it unset
   * and exits UNKNOWN.
   */
  readonly asFinding?: (error: unknown) => AuditFailure | undefined;
  /**
   * Confirmation within the epoch: when the sample shows a condition that
   * elections cause (meta disagreement, no known meta leader, leader counts
   * that do not add up), wait `delayMs` and sample again before deciding,
   * again while a sign is unsettled (lib/epoch/confirmation.ts). Unset:
   * judge the first sample (a saved sample, which cannot change).
   */
  readonly confirm?: {
    readonly delayMs: number;
    readonly signal?: AbortSignal;
    /**
     * The time the epoch may still spend sampling (`remainingMs()`, read
     * before each resample) and the longest one sample can take. A resample
     * is taken only when its delay and a whole sample still fit, so a
     * caller with a hard end (a Lambda's timeout) keeps time to save the
     * state and notify. Unset: no limit but {@link MAX_RESAMPLES}.
     */
    readonly budget?: { readonly remainingMs: () => number; readonly sampleMs: number };
  };
}

/** Why the audit could not run, as a finding: `subject` says which part failed. */
export type AuditFailure = Pick<FindingDraft, 'subject' | 'summary' | 'remediation'>;

export interface EpochDelivery {
  readonly report: Report;
  /** Findings left open by the previous epoch (empty when its state was unreadable). */
  readonly previousOpen: readonly OpenFinding[];
  /** Findings this epoch leaves open, as they will be saved. */
  readonly open: readonly OpenFinding[];
  readonly now: number;
}

export interface DeliveryResult {
  /** Open findings that were sent now, by check and subject; remembered for reminders. */
  readonly notified: readonly { readonly check: string; readonly subject: string }[];
}

/** What the epoch asks of its sampler. */
export interface SampleWants {
  /** Stream detail from every server (rates are due), not only from those the counts make hot. */
  readonly everyServerDetail: boolean;
}

export type EpochResult =
  | {
      readonly report: Report;
      readonly sample: RawSample;
      readonly observation: Observation;
      /** The group rates the epoch judged, when it had any (auto-rebalance by load plans from them). */
      readonly load?: LoadRates | undefined;
      readonly failed?: undefined;
    }
  | { readonly report: Report; readonly failed: AuditFailure };

/**
 * One epoch: gather, judge, remember. Throws AuditUnavailableError when the
 * audit itself cannot run (unless `asFinding` turns it into a finding); state
 * is then left untouched so the next epoch compares against the last real one.
 */
export async function runEpoch(deps: EpochDependencies): Promise<EpochResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  // Read while the servers are asked: the state does not depend on the
  // sample, and the epoch then waits for the slower of the two, not both.
  const previous = loadPrevious(deps);
  const tracksLoad = !deps.checks.skip.has(leaderLoadConcentration.id);
  let wants: SampleWants | undefined;
  if (deps.loadDetailEvery !== undefined && tracksLoad) {
    const { state } = await previous;
    wants = { everyServerDetail: loadDetailDue(state.load, state.epoch + 1, deps.loadDetailEvery) };
  }
  let sample: RawSample;
  try {
    sample = await deps.sample(wants);
    assertAuditable(sample);
  } catch (error) {
    const failure = deps.asFinding?.(error);
    if (!failure) throw error;
    const draft: CheckedDraft = { ...failure, check: AUDIT_FAILED_CHECK, severity: 'critical', details: {} };
    // Nothing about the cluster was seen: every check's findings stay open as they were.
    const unjudged = new Set(deps.registry.ids());
    const report = await conclude(deps, now, started, await previous, { seen: { startedAt: started, servers: [] }, failed: { draft, unjudged } });
    return { report, failed: failure };
  }
  const observation = observe(sample);
  const confirmed = deps.confirm ? await confirmSample(() => deps.sample(wants), observation, deps.confirm) : undefined;
  const final = confirmed?.second ?? { sample, observation };
  const loaded = await previous;
  const epochId = loaded.state.epoch + 1;
  const streamLoad = epochLoad(loaded.state.load, final.observation, epochId, tracksLoad);
  const consumers: ConsumerRating =
    tracksLoad &&
    deps.consumerCounters !== undefined &&
    consumerCountersDue(loaded.state.consumerCountersEpoch, epochId, deps.loadDetailEvery ?? DEFAULT_LOAD_DETAIL_EVERY, final.observation)
      ? await rateConsumers(deps.consumerCounters, deps.clusterKey, final.observation, epochId)
      : {};
  const load: EpochLoad = {
    ...streamLoad,
    rates: streamLoad.rates && consumers.rates ? { ...streamLoad.rates, consumers: consumers.rates } : streamLoad.rates,
    consumerCountersEpoch: consumers.savedEpoch,
  };
  const report = await conclude(deps, now, started, loaded, {
    seen: final.observation,
    observation: final.observation,
    load,
    ...(consumers.notice ? { notice: consumers.notice } : {}),
    ...(confirmed ? { confirmation: { first: observation, outcome: confirmed.outcome } } : {}),
  });
  return { report, sample: final.sample, observation: final.observation, load: load.rates };
}

/**
 * Samples again after the configured delay when the first sample shows an
 * election sign, and again while a sign of the latest sample is younger than
 * its settle time (confirmation.ts), at most MAX_RESAMPLES times and only
 * while the budget allows. Costs time only then. If a resample cannot be
 * taken (it failed, or no time was left), the last sample taken is judged
 * and the report says why.
 */
async function confirmSample(
  next: () => Promise<RawSample>,
  first: Observation,
  confirm: NonNullable<EpochDependencies['confirm']>,
): Promise<{ outcome: Confirmation; second?: { sample: RawSample; observation: Observation } } | undefined> {
  const signs = electionSigns(first);
  if (signs.length === 0) return undefined;
  const watch = new SignWatch(signs, performance.now());
  let last: { sample: RawSample; observation: Observation; signs: ElectionSign[] } | undefined;
  let resamples = 0;
  const fits = () => !confirm.budget || confirm.budget.remainingMs() >= confirm.delayMs + confirm.budget.sampleMs;
  if (!fits()) return { outcome: { delayMs: confirm.delayMs, resamples: 0, seen: signs, confirmed: [], cleared: [], appeared: [], outOfTime: true } };
  for (;;) {
    await sleep(confirm.delayMs, confirm.signal);
    try {
      const sample = await next();
      assertAuditable(sample);
      const observed = observe(sample);
      // Names are knowledge, not state: a server the first sample named (in a
      // leader's replica list, a route) is still a member seconds later, even
      // when a later sample has no one left who lists it.
      const observation: Observation = { ...observed, knownServerNames: [...new Set([...observed.knownServerNames, ...first.knownServerNames])] };
      last = { sample, observation, signs: electionSigns(observation) };
      resamples++;
      watch.observe(last.signs, performance.now());
    } catch (error) {
      const outcome = last
        ? { ...compareSigns(signs, last.signs, confirm.delayMs, resamples), resampleError: errorText(error) }
        : { delayMs: confirm.delayMs, resamples, seen: signs, confirmed: [], cleared: [], appeared: [], resampleError: errorText(error) };
      return { outcome, ...(last ? { second: last } : {}) };
    }
    const done = resamples === MAX_RESAMPLES || watch.unsettled(performance.now(), confirm.delayMs).length === 0;
    if (done || !fits()) return { outcome: { ...compareSigns(signs, last.signs, confirm.delayMs, resamples), ...(done ? {} : { outOfTime: true as const }) }, second: last };
  }
}

/** What an epoch concludes from: an observation to judge, or the failure that prevented one. */
type EpochInput =
  | {
      readonly seen: Observation;
      readonly observation: Observation;
      readonly failed?: undefined;
      /** The first sample and what the second said of its election signs, when the epoch confirmed. */
      readonly confirmation?: { readonly first: Observation; readonly outcome: Confirmation };
      /** Rates for the checks and the counters to save (lib/load/epoch-load.ts). */
      readonly load: EpochLoad;
      /** Something about this epoch's own bookkeeping the operator should know. */
      readonly notice?: string;
    }
  | {
      readonly seen: Pick<Observation, 'startedAt' | 'servers'>;
      readonly observation?: undefined;
      readonly failed: { readonly draft: CheckedDraft; readonly unjudged: ReadonlySet<string> };
      readonly load?: undefined;
    };

/** Judges, applies the lifecycle, delivers and saves. */
interface PreviousState {
  readonly state: AuditState;
  /** False when the state could not be read. */
  readonly known: boolean;
  readonly notice?: string | undefined;
}

/** Never rejects: an unreadable state is an epoch whose persistence is unknown. */
async function loadPrevious(deps: EpochDependencies): Promise<PreviousState> {
  try {
    const loaded = await deps.store.load(deps.clusterKey);
    return { state: loaded.state, known: true, notice: loaded.notice };
  } catch (error) {
    // Findings still go out; without the last epoch they cannot be told transient from persistent.
    return {
      state: emptyState(),
      known: false,
      notice: `state could not be read (${errorText(error)}); persistence of findings is unknown this epoch`,
    };
  }
}

async function conclude(
  deps: EpochDependencies,
  now: () => number,
  started: number,
  loaded: PreviousState,
  input: EpochInput,
): Promise<Report> {
  const notices: string[] = [loaded.notice, input.failed ? undefined : input.notice].filter((n) => n !== undefined);
  const previous = loaded.state;
  const stateKnown = loaded.known;

  const epochId = previous.epoch + 1;
  const full = input.observation;
  // A failed audit saw nothing: the remembered counters stay as they were.
  const load: EpochLoad = input.load ?? epochLoad(previous.load, undefined, epochId, !deps.checks.skip.has(leaderLoadConcentration.id));
  const judged: { drafts: CheckedDraft[]; runs: CheckRun[] } = full
    ? judge(deps.registry, { observation: full, history: previous.history, load: load.rates }, deps.checks)
    : { drafts: [input.failed.draft], runs: [] };
  const confirmation = input.failed ? undefined : input.confirmation;
  if (confirmation) {
    // With no resample taken the first sample is the one judged.
    const first = confirmation.outcome.resamples > 0
      ? judge(deps.registry, { observation: confirmation.first, history: previous.history, load: load.rates }, deps.checks).drafts
      : judged.drafts;
    judged.drafts = confirmedDrafts(first, judged.drafts, confirmation.outcome);
  }
  const judgedAt = now();
  // A check that failed says nothing about its findings, nor a check about a subject it could not judge: keep them open as they were.
  const unjudged = input.failed?.unjudged ?? unjudgedKeys(judged.runs);
  const { findings, resolved, open } = applyLifecycle(judged.drafts, previous, judgedAt, deps.persistence, stateKnown, unjudged);

  const report = () =>
    buildReport({
      cluster: deps.clusterKey,
      epochId,
      observation: input.seen,
      durationMs: now() - started,
      findings,
      resolved,
      runs: judged.runs,
      notices,
      ...(confirmation ? { confirmation: confirmation.outcome } : {}),
    });

  let saved = open;
  if (deps.deliver) {
    const delivered = await deps.deliver({ report: report(), previousOpen: previous.open, open, now: judgedAt });
    saved = markNotified(open, delivered?.notified ?? [], judgedAt);
  }

  if (stateKnown) {
    const history = full ? [...previous.history, summarize(epochId, full)].slice(-HISTORY_LIMIT) : previous.history;
    const consumerCountersEpoch = load.consumerCountersEpoch ?? previous.consumerCountersEpoch;
    const next: AuditState = {
      revision: previous.revision + 1,
      epoch: epochId,
      open: saved,
      history,
      ...(load.next ? { load: load.next } : {}),
      ...(consumerCountersEpoch === undefined ? {} : { consumerCountersEpoch }),
    };
    try {
      await deps.store.save(deps.clusterKey, next);
    } catch (error) {
      if (error instanceof StateConflictError) {
        // Lost a race to another epoch of the same cluster. Before anything
        // acted on this epoch (no deliver: the CLI) its report must not be
        // used: let it fail. After deliver its notifications are out and
        // cannot be recalled; failing would only make the scheduler retry
        // this scheduled time, a second epoch announcing again. The other
        // epoch's state stands.
        if (!deps.deliver) throw error;
        notices.push(`${error.message}; this epoch's notifications were sent, the other epoch's state was kept`);
        return report();
      }
      // Any other failure (disk full, a stuck lock, permissions): the
      // findings stand, only the memory of them is lost, and the next epoch
      // judges them as new.
      notices.push(`state could not be saved (${errorText(error)}); the next epoch will not know this one`);
    }
  }
  return report();
}

function markNotified(open: readonly OpenFinding[], notified: DeliveryResult['notified'], at: number): OpenFinding[] {
  if (notified.length === 0) return [...open];
  const sent = new Set(notified.map((n) => findingKey(n.check, n.subject)));
  return open.map((f) => (sent.has(findingKey(f.check, f.subject)) ? { ...f, notifiedAt: at } : f));
}

function summarize(id: number, observation: Observation): EpochSummary {
  const metaLeaders: Record<string, string | null> = {};
  for (const group of metaGroups(observation)) metaLeaders[group.key] = prevailingLeader(group);
  return { id, startedAt: observation.startedAt, metaLeaders, knownServers: observation.knownServerNames.slice(0, MAX_REMEMBERED_SERVERS) };
}

/** Check ids (a check that failed, or left every subject unjudged) and finding keys (a subject it could not judge) whose open findings carry over. */
function unjudgedKeys(runs: readonly CheckRun[]): Set<string> {
  const keys = new Set<string>();
  for (const run of runs) {
    if (run.outcome === 'error') keys.add(run.check);
    for (const { subject } of run.unjudged ?? []) keys.add(subject === '*' ? run.check : findingKey(run.check, subject));
  }
  return keys;
}
