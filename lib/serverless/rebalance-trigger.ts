import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import type { Report, ReportFinding } from '../epoch/report.js';

/**
 * The finding that calls for automatic rebalancing after an epoch: a
 * persistent uneven leader distribution on a cluster that opted in (or,
 * with `by: 'load'`, a persistent leader load concentration). A
 * transient one is left alone: a server that just restarted is not yet a
 * reason to add elections.
 *
 * Its own small file so the handler can decide before loading the
 * rebalancing code (auto-rebalance.ts and lib/rebalance), which most epochs
 * never run and the Lambda bundle keeps out of its cold start.
 */
export function rebalanceCalledFor(cluster: ClusterAuditConfig, report: Report): ReportFinding | undefined {
  if (!cluster.autoRebalance.enabled) return undefined;
  const check = cluster.autoRebalance.by === 'load' ? 'leader_load_concentration' : 'uneven_leader_distribution';
  return report.findings.find((f) => f.check === check && f.lifecycle.persistent);
}
