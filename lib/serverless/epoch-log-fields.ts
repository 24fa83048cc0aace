import { clusterLeaderCounts } from '../checks/cluster-leader-counts.js';
import type { EpochResult } from '../epoch/run-epoch.js';

/** One server's leaders in one NATS cluster, as the epoch's log line carries it. */
export interface LoggedLeaders {
  /** The NATS cluster name the server reports ('' for none). */
  readonly cluster: string;
  readonly server: string;
  readonly streams: number;
  readonly consumers: number;
  readonly total: number;
}

/** What the environment's dashboard reads from an epoch's log line (lib/infra/fleet-dashboard.ts queries these names). */
export interface EpochDashboardFields {
  /** The whole invocation, event to recorded run. */
  readonly durationMs: number;
  /** Open findings per check id; checks without any are left out. */
  readonly findingsByCheck: Readonly<Record<string, number>>;
  /**
   * Leaders per server of every cluster of two or more JetStream servers,
   * counted as uneven_leader_distribution counts them. Empty when the
   * audit could not run.
   */
  readonly leaders: readonly LoggedLeaders[];
}

/**
 * The fields a Logs Insights query needs to chart an epoch without a custom
 * metric per cluster: a metric costs $0.30 a month whether anyone looks or
 * not, a log field only the bytes it adds (~40 per server) and the scans of
 * whoever opens the dashboard.
 */
export function epochDashboardFields(result: EpochResult, durationMs: number): EpochDashboardFields {
  const findingsByCheck: Record<string, number> = {};
  for (const f of result.report.findings) findingsByCheck[f.check] = (findingsByCheck[f.check] ?? 0) + 1;
  const leaders: LoggedLeaders[] = [];
  if (!result.failed) {
    for (const { cluster, counts } of clusterLeaderCounts(result.observation)) {
      for (const [server, c] of counts) leaders.push({ cluster, server, streams: c.streams, consumers: c.consumers, total: c.total });
    }
  }
  return { durationMs, findingsByCheck, leaders };
}
