import { DEFAULT_LOAD_DETAIL_EVERY } from '../load/detail-cadence.js';
import type { CheckRegistry } from '../checks/registry.js';
import { AuditUnavailableError, ConfigError } from '../errors.js';
import { runEpoch, type AuditFailure, type EpochResult } from '../epoch/run-epoch.js';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { deliverTo } from '../notify/deliver.js';
import type { Notifier } from '../notify/types.js';
import type { Status } from '../epoch/report.js';
import type { Confirmation } from '../epoch/confirmation.js';
import { ConnectionOptionsError, inMemoryAuthSecrets } from '../sampling/connection-options.js';
import { gatherForEpoch } from '../epoch/gather-cluster.js';
import type { RunLedger, RunRecord } from '../state/run-ledger.js';
import type { ConsumerCounterStore, StateStore } from '../state/state-store.js';
import { CredentialsSecretError, type ClusterCredentials } from '../secrets/credentials-secret.js';
import { EPOCH_DONE_MESSAGE, EPOCH_FAILED_MESSAGE } from './epoch-log-messages.js';
import { epochDashboardFields } from './epoch-log-fields.js';
import { parseAuditEvent } from './lambda-event.js';
import type { Logger } from './log.js';
import { rebalanceCalledFor } from './rebalance-trigger.js';
import { errorText } from '../util/error-text.js';
import { AFTER_SAMPLING_RESERVE_MS } from './invocation-reserve.js';

/** Defaults for a cluster whose configuration is itself broken: its failure must still be remembered. */
const FALLBACK_PERSISTENCE = { epochs: 2, minMs: 0 };
/** A lease outlives the invocation holding it by this much, covering clock skew between containers. */
const LEASE_MARGIN_MS = 10_000;
/** Time kept back from automatic rebalancing for the verification sample and the notice. */
const REMEDIATION_RESERVE_MS = 15_000;

export interface AuditHandlerDeps {
  /** This function's clusters by name; a ConfigError stands for a cluster whose entry is invalid. */
  readonly clusters: ReadonlyMap<string, ClusterAuditConfig | ConfigError>;
  readonly registry: CheckRegistry;
  /** The cluster's state, and its consumer counters beside it (lib/load/consumer-counters.ts). */
  readonly store: StateStore & ConsumerCounterStore;
  readonly ledger: RunLedger;
  readonly notifier: Notifier;
  readonly secrets: { read(secretId: string, cluster?: string): Promise<ClusterCredentials>; forget(secretId: string): void };
  /**
   * One line per epoch carries what the per-cluster metrics used to (servers
   * answering, sample latency, duration, notices): the watchdog turns the
   * run ledger into the environment's metrics instead.
   */
  readonly logger: Logger;
  readonly now?: () => number;
  /**
   * The epoch's budget for decompressed replies, from the function's memory (reply-budget.ts).
   *
   * @default - the gatherer's, sized for 1 GB
   */
  readonly maxSampleBytes?: number;
}

/** The parts of the Lambda context the handler uses. */
export interface InvocationContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export type AuditOutcome =
  | { readonly cluster: string; readonly scheduledTime: string; readonly status: Status; readonly epoch: number; readonly notified: number }
  | { readonly cluster: string; readonly scheduledTime: string; readonly status: 'skipped'; readonly reason: 'duplicate' | 'overlap' };

/** The audit could not run this epoch; thrown after its finding was delivered, so the invocation counts as failed. */
export class AuditFailedError extends Error {
  override readonly name = 'AuditFailedError';
}

/**
 * One scheduled epoch of one cluster: the same core as `nats-audit check`,
 * with DynamoDB remembering epochs and SNS announcing transitions.
 *
 * Duplicate and overlapping invocations are made safe by the ledger: a
 * per-cluster lease lets one invocation audit at a time, and a record per
 * scheduled time makes a retried or duplicated event a no-op. When the
 * ledger itself is unreachable the audit still runs (a finding matters
 * more than a possible duplicate notice).
 */
export function createAuditHandler(deps: AuditHandlerDeps): (event: unknown, context: InvocationContext) => Promise<AuditOutcome> {
  const now = deps.now ?? Date.now;
  return async (rawEvent, context) => {
    const started = now();
    let event;
    try {
      event = parseAuditEvent(rawEvent);
    } catch (error) {
      const cluster = typeof (rawEvent as { cluster?: unknown } | null)?.cluster === 'string' ? (rawEvent as { cluster: string }).cluster : 'unknown';
      deps.logger.log('error', 'invalid event', { cluster, error: errorText(error) });
      throw error;
    }
    const log = deps.logger.with({ cluster: event.cluster, scheduledTime: event.scheduledTime, requestId: context.awsRequestId });
    const config = deps.clusters.get(event.cluster) ?? new ConfigError('event.cluster', `this function audits no cluster named ${event.cluster}`);
    const owner = context.awsRequestId;

    const lease = await guard(log, 'lease', () =>
      deps.ledger.acquireLease(event.cluster, owner, started, context.getRemainingTimeInMillis() + LEASE_MARGIN_MS),
    );
    if (lease === false) {
      log.log('info', 'skipped: another invocation is auditing this cluster');
      return { cluster: event.cluster, scheduledTime: event.scheduledTime, status: 'skipped', reason: 'overlap' };
    }
    try {
      if ((await guard(log, 'run record', () => deps.ledger.hasRun(event.cluster, event.scheduledTime))) === true) {
        log.log('info', 'skipped: this scheduled time was already audited');
        return { cluster: event.cluster, scheduledTime: event.scheduledTime, status: 'skipped', reason: 'duplicate' };
      }
      let result: EpochResult;
      let notified = 0;
      const counting: Notifier = {
        publish: async (notifications) => {
          await deps.notifier.publish(notifications);
          notified += notifications.length;
        },
      };
      let credentials: ClusterCredentials | undefined;
      try {
        result = await runClusterEpoch({ ...deps, notifier: counting }, config, event.cluster, log, now, context, (c) => (credentials = c));
      } catch (error) {
        // Nothing was saved (e.g. SNS refused the notifications): the retry
        // of this same scheduled time runs the epoch again and re-sends.
        log.log('error', EPOCH_FAILED_MESSAGE, { error: errorText(error), durationMs: now() - started });
        throw error;
      }
      const { report } = result;
      const record: RunRecord = {
        status: result.failed ? 'failed' : report.status,
        epoch: report.epoch.id,
        counts: report.counts,
        notified,
        durationMs: now() - started,
        findings: report.findings.map((f) => ({ check: f.check, subject: f.subject, severity: f.severity })),
        ...(result.failed ? { error: result.failed.summary } : {}),
      };
      await guard(log, 'run record', () => deps.ledger.recordRun(event.cluster, event.scheduledTime, record, now()));
      const moved = await remediate(result, config, credentials, counting, log, context);
      // The epoch's one log line: a quiet epoch writes nothing else.
      log.log(result.failed ? 'error' : 'info', EPOCH_DONE_MESSAGE, {
        status: record.status,
        epoch: report.epoch.id,
        counts: report.counts,
        servers: report.servers.length,
        ...(result.failed ? {} : { sampleMs: result.sample.durationMs }),
        notified,
        ...(moved === undefined ? {} : { leadersMoved: moved }),
        ...(record.findings.length > 0 ? { findings: record.findings } : {}),
        ...(report.notices.length > 0 ? { notices: report.notices } : {}),
        ...(report.confirmation ? { confirmation: confirmationFields(report.confirmation) } : {}),
        ...epochDashboardFields(result, record.durationMs),
      });
      if (result.failed) throw new AuditFailedError(`${event.cluster}: ${result.failed.summary}`);
      return { cluster: event.cluster, scheduledTime: event.scheduledTime, status: report.status, epoch: report.epoch.id, notified };
    } finally {
      if (lease === true) await guard(log, 'lease', () => deps.ledger.releaseLease(event.cluster, owner));
    }
  };
}

/** How the epoch confirmed election signs, in its log line: resamples taken, signs kept and cleared, and why it stopped early. */
function confirmationFields(c: Confirmation) {
  return {
    resamples: c.resamples,
    confirmed: c.confirmed.length,
    cleared: c.cleared.length,
    ...(c.resampleError === undefined ? {} : { resampleError: c.resampleError }),
    ...(c.outOfTime ? { outOfTime: true } : {}),
  };
}

/**
 * Automatic rebalancing after a completed epoch, when the cluster opted in.
 * Its failures are logged, never thrown: the epoch is already saved and
 * recorded, and a retry would not run it again.
 *
 * The rebalancing code is imported only when a finding calls for it: most
 * epochs move nothing, and the Lambda bundle keeps it (with lib/rebalance
 * and its dependencies) in a chunk of its own, out of every cold start.
 */
async function remediate(
  result: EpochResult,
  config: ClusterAuditConfig | ConfigError,
  credentials: ClusterCredentials | undefined,
  notifier: Notifier,
  log: Logger,
  context: InvocationContext,
): Promise<number | undefined> {
  if (result.failed || config instanceof ConfigError || !credentials || !config.autoRebalance.enabled) return undefined;
  if (!rebalanceCalledFor(config, result.report)) return 0;
  try {
    const { autoRebalance } = await import('./auto-rebalance.js');
    const signal = AbortSignal.timeout(Math.max(1_000, context.getRemainingTimeInMillis() - REMEDIATION_RESERVE_MS));
    const run = await autoRebalance({ cluster: config, credentials, report: result.report, observation: result.observation, load: result.load, notifier, log, signal });
    return run?.executions.flatMap((e) => e.result.outcomes).filter((o) => o.result === 'moved' || o.result === 'moved_elsewhere').length ?? 0;
  } catch (error) {
    log.log('error', 'auto-rebalance failed', { error: errorText(error) });
    return 0;
  }
}

async function runClusterEpoch(
  deps: AuditHandlerDeps,
  config: ClusterAuditConfig | ConfigError,
  clusterKey: string,
  log: Logger,
  now: () => number,
  context: InvocationContext,
  onCredentials: (credentials: ClusterCredentials) => void,
): Promise<EpochResult> {
  const valid = config instanceof ConfigError ? undefined : config;
  const checks = { skip: new Set(valid?.skip ?? []), thresholds: valid?.thresholds ?? {} };
  return runEpoch({
    clusterKey,
    store: deps.store,
    consumerCounters: deps.store,
    registry: deps.registry,
    now,
    checks,
    persistence: valid ? { epochs: valid.persistence.epochs, minMs: valid.persistence.minSeconds * 1000 } : FALLBACK_PERSISTENCE,
    ...(valid
      ? {
          confirm: {
            delayMs: valid.confirmDelayMs,
            budget: { remainingMs: () => context.getRemainingTimeInMillis() - AFTER_SAMPLING_RESERVE_MS, sampleMs: valid.timeoutMs },
          },
          loadDetailEvery: valid.loadDetailEvery ?? DEFAULT_LOAD_DETAIL_EVERY,
        }
      : {}),
    deliver: deliverTo(deps.notifier, {
      reminderMs: (valid?.reminderMinutes ?? 0) * 60_000,
      minSeverity: valid?.notifyMinSeverity ?? 'warning',
    }),
    sample: async (wants) => {
      if (!valid) throw config;
      const credentials = await deps.secrets.read(valid.credentialsSecret, valid.name);
      log.redact(secretValues(credentials));
      onCredentials(credentials);
      return gatherForEpoch(valid, {
        auth: credentials.auth,
        tls: credentials.tls,
        connectionName: 'nats-audit-lambda',
        maxSampleBytes: deps.maxSampleBytes,
        registry: deps.registry,
        checks,
        ...(wants ? { wants } : {}),
      });
    },
    asFinding: (error) => {
      const failure = auditFailure(error, valid);
      // Refused credentials may have been rotated since they were cached: read them afresh next epoch.
      if (failure && valid) deps.secrets.forget(valid.credentialsSecret);
      return failure;
    },
  });
}

function auditFailure(error: unknown, config: ClusterAuditConfig | undefined): AuditFailure | undefined {
  const secret = config?.credentialsSecret ?? 'its credentials secret';
  if (error instanceof ConfigError) {
    return {
      subject: 'configuration',
      summary: `The auditor's configuration for this cluster is invalid: ${error.message}`,
      remediation: ['Fix the cluster in the fleet file and redeploy (npx cdk deploy); do not edit the function environment by hand.'],
    };
  }
  if (error instanceof CredentialsSecretError || error instanceof ConnectionOptionsError) {
    return {
      subject: 'credentials',
      summary: `The system account credentials cannot be used: ${error.message}`,
      remediation: [
        `Check that the secret ${secret} exists in the function's account and region and holds JSON such as {"user": "sys", "password": "..."} (see README "Credentials secret").`,
        'Check that the function role may read it (secretsmanager:GetSecretValue, plus kms:Decrypt if the secret uses a customer managed key).',
      ],
    };
  }
  if (error instanceof AuditUnavailableError) {
    return {
      subject: 'authorization',
      summary: error.message,
      remediation: [
        `Update the secret ${secret} with a user of the system account (the account named by system_account in the server config).`,
        'Check that the user may publish to $SYS.REQ.SERVER.PING.* and receive replies on _INBOX.>.',
      ],
    };
  }
  return undefined;
}

/** Runs a ledger call; an unreachable ledger is logged and returns undefined so the audit still runs. */
async function guard<T>(log: Logger, what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    log.log('warn', `${what} unavailable; continuing without it`, { error: errorText(error) });
    return undefined;
  }
}

function secretValues(credentials: ClusterCredentials): string[] {
  return [credentials.auth, ...credentials.accounts.values()].flatMap((auth) => inMemoryAuthSecrets(auth));
}

