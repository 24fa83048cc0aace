import { leaderBalanceFor } from '../checks/uneven-leader-distribution.js';
import type { CheckSettings } from '../epoch/judge.js';
import type { EpochResult } from '../epoch/run-epoch.js';
import { formatHtml } from '../report/html/index.js';
import type { StateStore } from '../state/state-store.js';

/**
 * `check --format html`: the page for one finished epoch. The history is
 * read back from the store after the epoch saved itself, so it includes
 * this epoch; a store that cannot be read now only leaves the history out
 * (the report's notices already say when state failed during the epoch).
 */
export async function htmlPage(
  result: EpochResult,
  context: { readonly store: StateStore; readonly clusterKey: string; readonly checks: CheckSettings },
): Promise<string> {
  if (result.failed) throw new Error('an epoch that could not observe the cluster has no page: the CLI reports it as UNKNOWN');
  const history = await context.store.load(context.clusterKey).then(
    (loaded) => loaded.state.history,
    () => [],
  );
  return formatHtml({
    report: result.report,
    observation: result.observation,
    history,
    leaderBalance: leaderBalanceFor(context.checks.thresholds),
  });
}
