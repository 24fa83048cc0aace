import { connect, type NatsConnection } from 'nats';
import { readAccountCredentials, type AccountCredentials } from '../config/account-credentials.js';
import { parseRebalanceConfig, type RebalanceConfig } from '../config/rebalance-config.js';
import { assertAuditable } from '../epoch/auditable.js';
import { observe } from '../observation/observe.js';
import type { Observation } from '../observation/types.js';
import { ConfigError } from '../errors.js';
import { executePlan, type ExecuteResult } from '../rebalance/execute.js';
import { gateProblems } from '../rebalance/gate.js';
import { planRebalance } from '../rebalance/plan.js';
import { isHealthyReplica } from '../rebalance/replica-health.js';
import { supportsPreferredStepDown } from '../rebalance/server-version.js';
import type { RebalancePlan } from '../rebalance/types.js';
import { formatExecution, formatPlan } from '../report/rebalance-text.js';
import { classifyConnectError } from '../sampling/connect-error.js';
import { sanitizeUrl, toNatsConnectionOptions, type AuthOptions } from '../sampling/connection-options.js';
import { gather } from '../sampling/gather.js';
import type { CommandIo } from './io.js';

/**
 * Step-downs one move may take. On 2.9 each hands leadership to an arbitrary
 * current peer, so an R3 group reaches its target about half the time per
 * step-down: 20 tries leave a one-in-a-million chance of giving up.
 */
const MAX_STEP_DOWNS_PER_MOVE = 20;

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

  const before = await observeNow();
  const plan = planRebalance(before, { cluster: config.cluster, canLead: isHealthyReplica });
  if (config.cluster !== undefined && plan.clusters.length === 0) {
    const names = [...new Set(before.servers.map((s) => s.cluster ?? ''))].filter(Boolean);
    throw new ConfigError(config.clusterSource!, `no cluster named ${JSON.stringify(config.cluster)} answered; clusters: ${names.join(', ') || '(none)'}`);
  }
  if (!config.execute) {
    io.stdout(config.format === 'json' ? json({ dryRun: true, plan }) : formatPlan(plan, 'dry-run'));
    return REBALANCE_EXIT.done;
  }

  const problems = gateProblems(before, plan.clusters.flatMap((c) => c.moves));
  if (problems.length > 0) {
    if (config.format === 'json') io.stdout(json({ dryRun: false, plan, refused: problems }));
    else io.stdout(formatPlan(plan, 'execute'));
    io.stderr(`nats-audit rebalance: refusing to start:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return REBALANCE_EXIT.refused;
  }
  if (config.format === 'text') io.stdout(formatPlan(plan, 'execute'));

  const connections = accountConnections(config, credentials);
  const executions: { cluster: string; result: ExecuteResult }[] = [];
  let budget = config.maxMoves;
  try {
    for (const cluster of plan.clusters.filter((c) => c.moves.length > 0)) {
      const versions = before.servers.filter((s) => (s.cluster ?? '') === cluster.cluster).map((s) => s.version);
      const result = await executePlan(
        cluster,
        { connectAccount: connections.get, observe: observeNow },
        {
          movesPerSecond: config.movesPerSecond,
          maxMoves: budget,
          maxStepDownsPerMove: MAX_STEP_DOWNS_PER_MOVE,
          preferredPlacement: supportsPreferredStepDown(versions),
          signal: io.signal,
          onMove: (outcome, index, total) => io.stderr(`>> ${index + 1}/${total} ${outcome.result}: ${outcome.move.stream}${outcome.move.consumer ? ` > ${outcome.move.consumer}` : ''}\n`),
        },
      );
      budget -= result.outcomes.filter((o) => o.result !== 'not_attempted').length;
      executions.push({ cluster: cluster.cluster, result });
    }
  } finally {
    await connections.closeAll();
  }

  // Verification from a fresh sample, not from what the step-downs replied.
  let after: RebalancePlan | undefined;
  try {
    after = planRebalance(await observeNow(), { cluster: config.cluster, canLead: isHealthyReplica });
  } catch (error) {
    io.stderr(`nats-audit rebalance: the verification sample failed: ${(error as Error).message}\n`);
  }
  const complete =
    after !== undefined &&
    executions.every(({ result }) => result.outcomes.every((o) => ['moved', 'moved_elsewhere', 'already_moved'].includes(o.result)));
  if (config.format === 'json') {
    io.stdout(json({ dryRun: false, plan, executions, after }));
  } else {
    for (const { cluster, result } of executions) io.stdout(`\nExecution in cluster ${cluster || '(no cluster name)'}:\n${formatExecution(result)}`);
    if (after) io.stdout(`\nAfter the run (fresh sample):\n${formatPlan(after, 'execute')}`);
  }
  return complete ? REBALANCE_EXIT.done : REBALANCE_EXIT.partial;
}

function observer(config: RebalanceConfig): () => Promise<Observation> {
  const c = config.connection;
  return async () => {
    const sample = await gather({ servers: c.servers, auth: c.auth, tls: c.tls, expectServers: c.expectServers, timeoutMs: c.timeoutMs });
    assertAuditable(sample);
    return observe(sample);
  };
}

/** One connection per account, opened on first use through the first server that accepts it. */
function accountConnections(config: RebalanceConfig, credentials: AccountCredentials) {
  const open = new Map<string, Promise<NatsConnection>>();
  const connectAs = async (account: string, auth: AuthOptions): Promise<NatsConnection> => {
    let last = 'no server to connect to';
    for (const url of config.connection.servers) {
      try {
        // The URLs may carry the system user's credentials; this connection is the account's own.
        const options = await toNatsConnectionOptions(sanitizeUrl(url), auth, config.connection.tls, {
          name: 'nats-audit-rebalance',
          timeoutMs: config.connection.timeoutMs,
        });
        return await connect(options);
      } catch (error) {
        const { kind, detail } = classifyConnectError(error);
        last = `${kind}: ${sanitizeUrl(url)}: ${detail}`;
      }
    }
    throw new Error(`could not connect as account ${account} (${last})`);
  };
  return {
    get: (account: string): Promise<NatsConnection | undefined> => {
      const auth = credentials.get(account);
      if (!auth) return Promise.resolve(undefined);
      let connection = open.get(account);
      if (!connection) open.set(account, (connection = connectAs(account, auth)));
      return connection;
    },
    closeAll: async () => {
      for (const connection of open.values()) await (await connection.catch(() => undefined))?.close();
    },
  };
}

function json(value: Record<string, unknown>): string {
  return `${JSON.stringify({ type: 'io.nats-audit.v1.rebalance', ...value })}\n`;
}
