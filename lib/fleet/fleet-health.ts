import type { RunEntry } from '../state/run-ledger.js';
import { compareText } from '../util/compare-text.js';

/** A cluster the watchdog names, and why, in words an operator reads in a mail. */
export interface ClusterProblem {
  readonly cluster: string;
  readonly reason: string;
}

export interface FleetHealth {
  /** No run recorded within the cluster's window: its schedule stopped firing, or every epoch fails before it records. */
  readonly stale: readonly ClusterProblem[];
  /** The latest run failed: the audit could not run (configuration, credentials, authorization). */
  readonly failing: readonly ClusterProblem[];
}

export interface WatchedCluster {
  readonly name: string;
  /** How long after its last recorded run the cluster counts as stale (ms). */
  readonly staleAfterMs: number;
}

/**
 * Judges every cluster of an environment from its latest run record. Pure:
 * the watchdog reads the records and the clock, this decides. A cluster with
 * no record at all is measured from when the watchdog first saw it, so a
 * freshly deployed cluster is not stale before its schedule could fire.
 */
export function judgeFleetHealth(input: {
  readonly clusters: readonly WatchedCluster[];
  readonly lastRuns: ReadonlyMap<string, RunEntry | undefined>;
  /** When the watchdog first saw each cluster (epoch ms). */
  readonly watchingSince: Readonly<Record<string, number>>;
  readonly now: number;
}): FleetHealth {
  const stale: ClusterProblem[] = [];
  const failing: ClusterProblem[] = [];
  for (const cluster of [...input.clusters].sort((a, b) => compareText(a.name, b.name))) {
    const last = input.lastRuns.get(cluster.name);
    const since = last?.recordedAt ?? input.watchingSince[cluster.name] ?? input.now;
    const silentMs = input.now - since;
    if (silentMs > cluster.staleAfterMs) {
      stale.push({
        cluster: cluster.name,
        reason: last
          ? `no run recorded for ${minutes(silentMs)} (window ${minutes(cluster.staleAfterMs)}); the last, scheduled ${last.scheduledTime}, was ${last.record.status}`
          : `no run recorded in the ${minutes(silentMs)} since the watchdog first saw it (window ${minutes(cluster.staleAfterMs)})`,
      });
    } else if (last?.record.status === 'failed') {
      failing.push({ cluster: cluster.name, reason: `the run scheduled ${last.scheduledTime} failed: ${last.record.error ?? 'no reason recorded'}` });
    }
  }
  return { stale, failing };
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}
