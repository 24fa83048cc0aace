import type { Report } from '../epoch/report.js';
import type { RebalanceRun } from '../rebalance/run-rebalance.js';
import type { ClusterPlan, RebalancePlan } from '../rebalance/types.js';
import type { Notification } from './types.js';

/**
 * What an automatic rebalance did, as one notice: each move with its
 * outcome, and what the plan evens out before and after (leaders per
 * server, or for a plan by load the busiest server's writes). Sent
 * whenever the auditor moved (or tried to move) a leader, so no change to a
 * cluster happens unannounced. `check` is the check whose persistent
 * finding called for it, so a subscriber filtering on that check hears of
 * the moves made for it.
 */
export function remediationNotice(report: Report, run: RebalanceRun, check: string): Notification {
  const outcomes = run.executions.flatMap((e) => e.result.outcomes).filter((o) => o.result !== 'not_attempted');
  const moved = outcomes.filter((o) => o.result === 'moved' || o.result === 'moved_elsewhere').length;
  const actions = outcomes.map((o) => {
    const group = o.move.consumer ? `consumer ${o.move.account}/${o.move.stream}/${o.move.consumer}` : `stream ${o.move.account}/${o.move.stream}`;
    const landed = o.leader ? `, now led by ${o.leader}` : '';
    return `${o.result}: ${group} ${o.move.from} -> ${o.move.to} (${o.stepDowns} step-down${o.stepDowns === 1 ? '' : 's'}${landed})${o.detail ? `: ${o.detail}` : ''}`;
  });
  const stopped = run.executions.map((e) => e.result.stoppedBy).filter((s): s is string => s !== undefined);
  return {
    cluster: report.cluster,
    check,
    subject: 'auto-rebalance',
    severity: 'warning',
    transition: 'remediation',
    summary: `Auto-rebalance moved ${moved} of ${outcomes.length} leader${outcomes.length === 1 ? '' : 's'} attempted${spread(run.plan, run.after)}${stopped.length ? ` (stopped: ${stopped.join('; ')})` : ''}`,
    epoch: { id: report.epoch.id, startedAt: report.epoch.startedAt },
    actions: [...actions, ...(run.verificationError ? [`verification sample failed: ${run.verificationError}`] : [])],
    servers: report.servers.map((s) => ({ name: s.name, cluster: s.cluster, version: s.version, metaLeader: s.metaLeader })),
    notices: [],
  };
}

/**
 * Before and after, in the measure the plan minimised. A plan by load is
 * judged by the busiest server's writes (the epoch's rates over the leaders
 * of the verification sample), never by leader counts it may have made less
 * even; "planned" is the whole plan's bound, which a per-epoch cap can leave
 * for later epochs.
 */
function spread(plan: RebalancePlan, after: RebalancePlan | undefined): string {
  if (plan.clusters.some((c) => c.by === 'load')) {
    const rate = (c: ClusterPlan, field: 'maxLoadBefore' | 'maxLoadAfter') => String(Math.round(c[field] ?? 0));
    const now = after ? ` -> ${after.clusters.map((c) => rate(c, 'maxLoadBefore')).join('/')}` : '';
    return `; writes on the busiest server ${plan.clusters.map((c) => rate(c, 'maxLoadBefore')).join('/')}${now} msg/s (planned: ${plan.clusters.map((c) => rate(c, 'maxLoadAfter')).join('/')})`;
  }
  return after ? `; most leaders on one server ${plan.clusters.map((c) => c.maxBefore).join('/')} -> ${after.clusters.map((c) => c.maxBefore).join('/')}` : '';
}
