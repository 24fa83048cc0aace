/**
 * `rebalance --by load`: write rates need two samples, so the planner
 * samples twice, `--load-window` apart, and plans from the second (the one
 * the gate is checked against); the verification after the moves measures
 * again over a window of its own.
 */
import { AuditUnavailableError } from '../errors.js';
import { groupRates } from '../load/group-rates.js';
import { nextSnapshot } from '../load/load-snapshot.js';
import type { Observation } from '../observation/types.js';
import { planByLoad } from '../rebalance/load-plan.js';
import type { RebalancePlan } from '../rebalance/types.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import { sleep } from '../util/sleep.js';

export interface LoadPlanner {
  /** The observation the first plan is made from (the second of its two samples). */
  readonly before: Observation;
  /** Plans from an observation: the first from rates ending at `before`, any other from rates starting at it. */
  readonly plan: (observation: Observation) => Promise<RebalancePlan>;
}

export async function loadPlanner(
  observe: () => Promise<Observation>,
  options: { readonly windowMs: number; readonly cluster?: string | undefined; readonly signal?: AbortSignal | undefined },
): Promise<LoadPlanner> {
  const byLoad = (earlier: Observation, later: Observation): RebalancePlan => {
    const rates = groupRates(nextSnapshot(undefined, earlier, 0), later);
    if (rates === undefined) {
      throw new AuditUnavailableError('no stream counters in the servers\' replies (JSZ `now` and stream `state`): write rates cannot be measured, so --by load cannot plan');
    }
    return planByLoad(later, rates.rates, { cluster: options.cluster, canLead: isHealthyReplica });
  };
  const later = async (earlier: Observation): Promise<Observation> => {
    await sleep(options.windowMs, options.signal);
    return observe();
  };
  const first = await observe();
  const before = await later(first);
  const firstPlan = byLoad(first, before);
  return {
    before,
    plan: async (observation) => (observation === before ? firstPlan : byLoad(observation, await later(observation))),
  };
}
