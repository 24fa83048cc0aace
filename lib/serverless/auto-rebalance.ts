import { assertAuditable } from '../epoch/auditable.js';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { remediationNotice } from '../notify/remediation-notice.js';
import type { Notifier } from '../notify/types.js';
import { observe } from '../observation/observe.js';
import type { Observation } from '../observation/types.js';
import { accountConnections } from '../rebalance/account-connections.js';
import { runRebalance, type RebalanceRun } from '../rebalance/run-rebalance.js';
import { planByLoad } from '../rebalance/load-plan.js';
import type { LoadRates } from '../load/group-rates.js';
import type { Report } from '../epoch/report.js';
import { gather } from '../sampling/gather.js';
import type { ClusterCredentials } from '../secrets/credentials-secret.js';
import type { Logger } from './log.js';
import { rebalanceCalledFor } from './rebalance-trigger.js';

/** One election at a time, a second apart: the pace the CLI defaults to. */
const MOVES_PER_SECOND = 1;

export interface AutoRebalanceInput {
  readonly cluster: ClusterAuditConfig;
  readonly credentials: ClusterCredentials;
  readonly report: Report;
  /** The epoch's own observation: the plan starts from what was judged. */
  readonly observation: Observation;
  /** The epoch's group rates: with `by: 'load'` the plan (and its verification) weighs each stream by them. */
  readonly load?: LoadRates | undefined;
  readonly notifier: Notifier;
  readonly log: Logger;
  /** Moves stop when this fires (the invocation is running out of time). */
  readonly signal: AbortSignal;
}

/**
 * Opt-in remediation of a persistent uneven leader distribution (or, with
 * `by: 'load'`, of a persistent leader load concentration): at most
 * `maxMovesPerEpoch` step-downs, behind the same gate as `nats-audit
 * rebalance --execute` (re-checked from a fresh sample before each move),
 * and a notice listing every move; nothing when {@link rebalanceCalledFor}
 * finds no reason to.
 */
export async function autoRebalance(input: AutoRebalanceInput): Promise<RebalanceRun | undefined> {
  const { cluster, credentials, report, log } = input;
  const trigger = rebalanceCalledFor(cluster, report);
  if (!trigger) return undefined;

  const observeNow = async () => {
    const sample = await gather({
      servers: cluster.servers,
      auth: credentials.auth,
      tls: credentials.tls,
      expectServers: cluster.expectServers,
      timeoutMs: cluster.timeoutMs,
      connectionName: 'nats-audit-lambda',
      // Planning needs every group, not only the hot servers'.
      jszDetail: 'per-server',
    });
    assertAuditable(sample);
    return observe(sample);
  };
  const connections = accountConnections(
    { servers: cluster.servers, tls: credentials.tls, timeoutMs: cluster.timeoutMs },
    credentials.accounts,
    'nats-audit-auto-rebalance',
  );
  let run: RebalanceRun;
  try {
    run = await runRebalance(
      input.observation,
      {
        observe: observeNow,
        connectAccount: connections.get,
        hasCredentials: connections.has,
        // By group key, so the rates judged this epoch weigh the same streams in the fresh sample after the moves.
        ...(cluster.autoRebalance.by === 'load' ? { plan: async (o: Observation) => planByLoad(o, input.load?.rates ?? []) } : {}),
      },
      { movesPerSecond: MOVES_PER_SECOND, maxMoves: cluster.autoRebalance.maxMovesPerEpoch, signal: input.signal },
    );
  } finally {
    await connections.closeAll();
  }
  if (run.missingCredentials.length > 0) {
    // The secret's `accounts` may key an account by name tag or public key; say which account had neither.
    log.log('warn', 'auto-rebalance: accounts without credentials in the secret', {
      accounts: run.missingCredentials.map(({ account, accountId, moves }) => ({ account, accountId, moves })),
    });
  }
  if (run.refused) {
    log.log('info', 'auto-rebalance refused by the gate', { problems: run.refused });
    return run;
  }
  const attempted = run.executions.flatMap((e) => e.result.outcomes).filter((o) => o.result !== 'not_attempted');
  log.log('info', 'auto-rebalance done', {
    attempted: attempted.length,
    outcomes: attempted.map((o) => ({ group: `${o.move.account}/${o.move.stream}${o.move.consumer ? `/${o.move.consumer}` : ''}`, result: o.result })),
    ...plannedLoad(run),
  });
  if (attempted.length > 0) await input.notifier.publish([remediationNotice(report, run, trigger.check)]);
  return run;
}

/**
 * For a plan by load, the bound it planned per cluster (msg/s by the
 * epoch's rates): the busiest server's writes before and after every planned
 * move, and all servers' writes together, so the log says what share of the
 * writes the busiest server was planned to keep.
 */
function plannedLoad(run: RebalanceRun): { plannedLoad?: { cluster: string; busiestBefore: number; busiestAfter: number; total: number }[] } {
  const byLoad = run.plan.clusters.filter((c) => c.by === 'load');
  if (byLoad.length === 0) return {};
  const rounded = (n: number | undefined) => Math.round((n ?? 0) * 10) / 10;
  return {
    plannedLoad: byLoad.map((c) => ({
      cluster: c.cluster,
      busiestBefore: rounded(c.maxLoadBefore),
      busiestAfter: rounded(c.maxLoadAfter),
      total: rounded(c.servers.reduce((sum, s) => sum + (s.loadAfter ?? 0), 0)),
    })),
  };
}
