import type { Report } from '../epoch/report.js';
import type { RebalanceRun } from '../rebalance/run-rebalance.js';
import type { Notification } from './types.js';

/** Check id of notices about leader moves the auditor made itself. */
export const AUTO_REBALANCE_CHECK = 'uneven_leader_distribution';

/**
 * What an automatic rebalance did, as one notice: each move with its
 * outcome, and the leaders per server before and after. Sent whenever the
 * auditor moved (or tried to move) a leader, so no change to a cluster
 * happens unannounced.
 */
export function remediationNotice(report: Report, run: RebalanceRun): Notification {
  const outcomes = run.executions.flatMap((e) => e.result.outcomes).filter((o) => o.result !== 'not_attempted');
  const moved = outcomes.filter((o) => o.result === 'moved' || o.result === 'moved_elsewhere').length;
  const actions = outcomes.map((o) => {
    const group = o.move.consumer ? `consumer ${o.move.account}/${o.move.stream}/${o.move.consumer}` : `stream ${o.move.account}/${o.move.stream}`;
    const landed = o.leader ? `, now led by ${o.leader}` : '';
    return `${o.result}: ${group} ${o.move.from} -> ${o.move.to} (${o.stepDowns} step-down${o.stepDowns === 1 ? '' : 's'}${landed})${o.detail ? `: ${o.detail}` : ''}`;
  });
  const stopped = run.executions.map((e) => e.result.stoppedBy).filter((s): s is string => s !== undefined);
  const before = run.plan.clusters.map((c) => c.maxBefore);
  const after = run.after?.clusters.map((c) => c.maxBefore);
  const loads = after ? `; most leaders on one server ${before.join('/')} -> ${after.join('/')}` : '';
  return {
    cluster: report.cluster,
    check: AUTO_REBALANCE_CHECK,
    subject: 'auto-rebalance',
    severity: 'warning',
    transition: 'remediation',
    summary: `Auto-rebalance moved ${moved} of ${outcomes.length} leader${outcomes.length === 1 ? '' : 's'} attempted${loads}${stopped.length ? ` (stopped: ${stopped.join('; ')})` : ''}`,
    epoch: { id: report.epoch.id, startedAt: report.epoch.startedAt },
    actions: [...actions, ...(run.verificationError ? [`verification sample failed: ${run.verificationError}`] : [])],
    servers: report.servers.map((s) => ({ name: s.name, cluster: s.cluster, version: s.version, metaLeader: s.metaLeader })),
    notices: [],
  };
}
