import { ConfigError } from '../errors.js';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { staleWindowMinutes } from '../fleet/stale-window.js';
import { healthNotice, type HealthNotice } from '../notify/health-notice.js';
import type { RunEntry, RunLedger } from '../state/run-ledger.js';
import type { WatchdogMemory, WatchdogRecall } from '../state/watchdog-memory.js';
import { forEachConcurrently } from '../util/concurrency.js';
import { judgeFleetHealth, type FleetHealth, type WatchedCluster } from '../fleet/fleet-health.js';
import { parseWatchdogEvent } from './lambda-event.js';
import { LOG_QUERIES } from './log-queries.js';
import type { Logger, LogSink } from './log.js';
import { emitMetrics } from './metrics.js';

/** Ledger reads in flight at once: 100 clusters in a few round trips, without a burst DynamoDB would throttle. */
const READ_CONCURRENCY = 16;
/** Window for a cluster whose configuration is broken (its schedule unknown): its runs are recorded as failed anyway. */
const UNKNOWN_SCHEDULE_WINDOW_MS = 24 * 60 * 60_000;

export interface WatchdogDeps {
  /** The environment this function audits; a watchdog event must name it. */
  readonly environment: string;
  /** The environment's clusters by name, as the audit handler gets them. */
  readonly clusters: ReadonlyMap<string, ClusterAuditConfig | ConfigError>;
  readonly ledger: Pick<RunLedger, 'lastRun'>;
  readonly memory: WatchdogMemory;
  /** Sends a notice to the environment's health topic (where the auditor's alarms go). */
  readonly publish: (notice: HealthNotice) => Promise<void>;
  readonly logger: Logger;
  /** Where embedded-metric-format records go (stdout in Lambda). */
  readonly metrics: LogSink;
  readonly now?: () => number;
}

export interface WatchdogOutcome {
  readonly environment: string;
  readonly stale: readonly string[];
  readonly failing: readonly string[];
  /** Whether this run sent a notice (the set of stale or failing clusters changed). */
  readonly notified: boolean;
}

/**
 * The environment's watchdog, run on a schedule of its own every minute: it
 * reads each cluster's latest run from the ledger and turns the fleet into
 * two numbers (StaleClusters, FailingClusters, alarmed in lib/infra) and,
 * when the set of clusters in trouble changes, one notice naming them. This
 * replaces eight metrics and a heartbeat alarm per cluster.
 *
 * A notice is published before the recall is saved: if SNS refuses, the
 * invocation fails and the next run announces the same change again.
 */
export function createWatchdog(deps: WatchdogDeps): (event: unknown) => Promise<WatchdogOutcome> {
  const now = deps.now ?? Date.now;
  const watched = watchedClusters(deps.clusters);
  return async (rawEvent) => {
    const event = parseWatchdogEvent(rawEvent);
    if (event.watchdog !== deps.environment) {
      throw new ConfigError('event.watchdog', `this function audits environment ${deps.environment}, not ${event.watchdog}`);
    }
    const at = now();
    const lastRuns = new Map<string, RunEntry | undefined>();
    await forEachConcurrently(watched, READ_CONCURRENCY, async (c) => {
      lastRuns.set(c.name, await deps.ledger.lastRun(c.name));
    });
    const recall = await deps.memory.load(deps.environment);
    const watching = Object.fromEntries(watched.map((c) => [c.name, recall.watching[c.name] ?? at]));
    const health = judgeFleetHealth({ clusters: watched, lastRuns, watchingSince: watching, now: at });
    const next: WatchdogRecall = { watching, stale: health.stale.map((p) => p.cluster), failing: health.failing.map((p) => p.cluster) };
    const recovered = [...recall.stale, ...recall.failing].filter((c) => c in watching && !next.stale.includes(c) && !next.failing.includes(c));
    const changed = !sameSet(recall.stale, next.stale) || !sameSet(recall.failing, next.failing);

    emitMetrics(deps.metrics, deps.environment, { StaleClusters: next.stale.length, FailingClusters: next.failing.length }, at);
    deps.logger.log(next.stale.length + next.failing.length > 0 ? 'warn' : 'info', 'watchdog', {
      environment: deps.environment,
      scheduledTime: event.scheduledTime,
      clusters: watched.length,
      ...problems(health),
      ...(changed && recovered.length > 0 ? { recovered } : {}),
    });
    if (changed) await deps.publish(healthNotice(deps.environment, health, recovered, LOG_QUERIES.epochs.name(deps.environment)));
    if (changed || !sameSet(Object.keys(recall.watching), Object.keys(watching))) await deps.memory.save(deps.environment, next);
    return { environment: deps.environment, stale: next.stale, failing: next.failing, notified: changed };
  };
}

function watchedClusters(clusters: ReadonlyMap<string, ClusterAuditConfig | ConfigError>): WatchedCluster[] {
  return [...clusters].map(([name, config]) => {
    if (config instanceof ConfigError) return { name, staleAfterMs: UNKNOWN_SCHEDULE_WINDOW_MS };
    try {
      return { name, staleAfterMs: staleWindowMinutes(config.schedule) * 60_000 };
    } catch {
      // The stack refuses such a schedule at synth; a hand-edited environment falls back rather than failing every cluster's watch.
      return { name, staleAfterMs: UNKNOWN_SCHEDULE_WINDOW_MS };
    }
  });
}

function problems(health: FleetHealth): Record<string, unknown> {
  return {
    ...(health.stale.length > 0 ? { stale: health.stale } : {}),
    ...(health.failing.length > 0 ? { failing: health.failing } : {}),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
