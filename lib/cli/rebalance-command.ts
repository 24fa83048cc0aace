import { readAccountCredentials } from '../config/account-credentials.js';
import { parseRebalanceConfig, type RebalanceConfig } from '../config/rebalance-config.js';
import { assertAuditable } from '../epoch/auditable.js';
import { observe } from '../observation/observe.js';
import type { Observation } from '../observation/types.js';
import { ConfigError } from '../errors.js';
import { planRebalance } from '../rebalance/plan.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import { accountConnections } from '../rebalance/account-connections.js';
import { runRebalance, type RebalanceRun } from '../rebalance/run-rebalance.js';
import { formatExecution, formatPlan } from '../report/rebalance-text.js';
import { gather } from '../sampling/gather.js';
import { loadPlanner } from './load-planner.js';
import type { CommandIo } from './io.js';

/** Exit codes of `rebalance`. */
export const REBALANCE_EXIT = {
  /** Plan printed (dry run), or every move carried out. */
  done: 0,
  /** Executed, but some moves did not happen (failed, no credentials, cap reached, gate closed mid-way). */
  partial: 1,
  /** The gate refused to start: the cluster is not healthy enough to add elections. */
  refused: 2,
} as const;

export async function rebalanceCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const config = parseRebalanceConfig(argv, io.env);
  const credentials = config.accountsPath ? await readAccountCredentials(config.accountsPath, config.accountsSource!) : new Map();
  const observeNow = observer(config);

  const byLoad = config.by === 'load' ? await loadPlanner(observeNow, { windowMs: config.loadWindowMs, cluster: config.cluster, signal: io.signal }) : undefined;
  const before = byLoad?.before ?? (await observeNow());
  const plan = byLoad ? await byLoad.plan(before) : planRebalance(before, { cluster: config.cluster, canLead: isHealthyReplica });
  if (config.cluster !== undefined && plan.clusters.length === 0) {
    const names = [...new Set(before.servers.map((s) => s.cluster ?? ''))].filter(Boolean);
    throw new ConfigError(config.clusterSource!, `no cluster named ${JSON.stringify(config.cluster)} answered; clusters: ${names.join(', ') || '(none)'}`);
  }
  if (!config.execute) {
    io.stdout(config.format === 'json' ? json({ dryRun: true, plan }) : formatPlan(plan, 'dry-run'));
    return REBALANCE_EXIT.done;
  }

  // The plan comes first either way: what would run, or what the gate refused to run.
  if (config.format === 'text') io.stdout(formatPlan(plan, 'execute'));
  const connections = accountConnections(config.connection, credentials, 'nats-audit-rebalance');
  let run: RebalanceRun;
  try {
    run = await runRebalance(
      before,
      { connectAccount: connections.get, hasCredentials: connections.has, observe: observeNow, ...(byLoad ? { plan: byLoad.plan } : {}) },
      {
        cluster: config.cluster,
        movesPerSecond: config.movesPerSecond,
        maxMoves: config.maxMoves,
        signal: io.signal,
        onMove: (outcome, index, total) =>
          io.stderr(`>> ${index + 1}/${total} ${outcome.result}: ${outcome.move.stream}${outcome.move.consumer ? ` > ${outcome.move.consumer}` : ''}\n`),
      },
    );
  } finally {
    await connections.closeAll();
  }

  for (const m of run.missingCredentials) {
    io.stderr(`nats-audit rebalance: ${m.moves} planned move${m.moves === 1 ? '' : 's'} skipped, ${m.detail}${config.accountsPath ? '' : ' (pass --accounts FILE)'}\n`);
  }
  if (run.refused) {
    if (config.format === 'json') io.stdout(json({ dryRun: false, plan, refused: run.refused, missingCredentials: run.missingCredentials }));
    io.stderr(`nats-audit rebalance: refusing to start:\n${run.refused.map((p) => `  - ${p}`).join('\n')}\n`);
    return REBALANCE_EXIT.refused;
  }
  if (run.verificationError) io.stderr(`nats-audit rebalance: the verification sample failed: ${run.verificationError}\n`);
  if (config.format === 'json') {
    io.stdout(json({ dryRun: false, plan, missingCredentials: run.missingCredentials, executions: run.executions, after: run.after }));
  } else {
    for (const { cluster, result } of run.executions) io.stdout(`\nExecution in cluster ${cluster || '(no cluster name)'}:\n${formatExecution(result)}`);
    if (run.after) io.stdout(`\nAfter the run (fresh sample):\n${formatPlan(run.after, 'execute')}`);
  }
  return run.complete ? REBALANCE_EXIT.done : REBALANCE_EXIT.partial;
}

function observer(config: RebalanceConfig): () => Promise<Observation> {
  const c = config.connection;
  return async () => {
    // Planning needs every group, not only the hot servers'.
    const sample = await gather({
      servers: c.servers,
      auth: c.auth,
      tls: c.tls,
      expectServers: c.expectServers,
      timeoutMs: c.timeoutMs,
      jszDetail: 'per-server',
    });
    assertAuditable(sample);
    return observe(sample);
  };
}

function json(value: Record<string, unknown>): string {
  return `${JSON.stringify({ type: 'io.nats-audit.v1.rebalance', ...value })}\n`;
}
