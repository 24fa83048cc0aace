import type { CheckRegistry } from '../checks/registry.js';
import { metaGroups, prevailingLeader } from '../checks/meta-group.js';
import type { EpochSummary } from '../checks/types.js';
import { observe } from '../observation/observe.js';
import type { Observation } from '../observation/types.js';
import { buildReport, type Report } from '../report/report.js';
import type { RawSample } from '../sampling/raw-sample.js';
import { HISTORY_LIMIT, emptyState, type AuditState, type OpenFinding } from '../state/audit-state.js';
import { StateConflictError, type StateStore } from '../state/state-store.js';
import { assertAuditable } from './auditable.js';
import { judge, type CheckSettings } from './judge.js';
import { applyLifecycle, findingKey, type PersistencePolicy } from './lifecycle.js';

/** Server names remembered per epoch; far above any real cluster, a bound on hostile input. */
const MAX_REMEMBERED_SERVERS = 1_000;

export interface EpochDependencies {
  /** Produces this epoch's raw sample: live gathering or a saved file. */
  readonly sample: () => Promise<RawSample>;
  readonly store: StateStore;
  readonly clusterKey: string;
  readonly registry: CheckRegistry;
  readonly checks: CheckSettings;
  readonly persistence: PersistencePolicy;
  readonly now?: () => number;
  /**
   * Hands the judged epoch to a notifier before its state is saved. If it
   * throws, the state is not saved and the error propagates, so the next
   * epoch sees the same transitions again and nothing is lost.
   */
  readonly deliver?: (delivery: EpochDelivery) => Promise<DeliveryResult | void>;
}

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

export interface EpochResult {
  readonly report: Report;
  readonly sample: RawSample;
  readonly observation: Observation;
}

/**
 * One epoch: gather, judge, remember. Throws AuditUnavailableError when the
 * audit itself cannot run; state is then left untouched so the next epoch
 * compares against the last real one.
 */
export async function runEpoch(deps: EpochDependencies): Promise<EpochResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const sample = await deps.sample();
  assertAuditable(sample);
  const observation = observe(sample);

  const notices: string[] = [];
  let previous: AuditState;
  let stateKnown = true;
  try {
    const loaded = await deps.store.load(deps.clusterKey);
    previous = loaded.state;
    if (loaded.notice) notices.push(loaded.notice);
  } catch (error) {
    // Findings still go out; without the last epoch they cannot be told transient from persistent.
    previous = emptyState();
    stateKnown = false;
    notices.push(`state could not be read (${errorText(error)}); persistence of findings is unknown this epoch`);
  }

  const epochId = previous.epoch + 1;
  const judged = judge(deps.registry, { observation, history: previous.history }, deps.checks);
  const judgedAt = now();
  // A check that failed says nothing about its findings: keep them open as they were.
  const unjudged = new Set(judged.runs.filter((r) => r.outcome === 'error').map((r) => r.check));
  const { findings, resolved, open } = applyLifecycle(judged.drafts, previous, judgedAt, deps.persistence, stateKnown, unjudged);

  const report = () =>
    buildReport({
      cluster: deps.clusterKey,
      epochId,
      observation,
      durationMs: now() - started,
      findings,
      resolved,
      runs: judged.runs,
      notices,
    });

  let saved = open;
  if (deps.deliver) {
    const delivered = await deps.deliver({ report: report(), previousOpen: previous.open, open, now: judgedAt });
    saved = markNotified(open, delivered?.notified ?? [], judgedAt);
  }

  if (stateKnown) {
    const next: AuditState = {
      revision: previous.revision + 1,
      epoch: epochId,
      open: saved,
      history: [...previous.history, summarize(epochId, observation)].slice(-HISTORY_LIMIT),
    };
    try {
      await deps.store.save(deps.clusterKey, next);
    } catch (error) {
      // Losing a race to another epoch of the same cluster means this epoch's
      // report must not be acted on (it would double-notify): let it fail.
      if (error instanceof StateConflictError) throw error;
      // Any other failure (disk full, a stuck lock, permissions): the
      // findings stand, only the memory of them is lost, and the next epoch
      // judges them as new.
      notices.push(`state could not be saved (${errorText(error)}); the next epoch will not know this one`);
    }
  }

  return { report: report(), sample, observation };
}

function markNotified(
  open: readonly OpenFinding[],
  notified: DeliveryResult['notified'],
  at: number,
): OpenFinding[] {
  if (notified.length === 0) return [...open];
  const sent = new Set(notified.map((n) => findingKey(n.check, n.subject)));
  return open.map((f) => (sent.has(findingKey(f.check, f.subject)) ? { ...f, notifiedAt: at } : f));
}

function summarize(id: number, observation: Observation): EpochSummary {
  const metaLeaders: Record<string, string | null> = {};
  for (const group of metaGroups(observation)) metaLeaders[group.key] = prevailingLeader(group);
  return { id, startedAt: observation.startedAt, metaLeaders, knownServers: observation.knownServerNames.slice(0, MAX_REMEMBERED_SERVERS) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
