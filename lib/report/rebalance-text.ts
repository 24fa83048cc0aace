import { natscli } from '../checks/natscli.js';
import type { ExecuteResult } from '../rebalance/execute.js';
import { describeGroup } from '../domain/group-key.js';
import type { ClusterPlan, LeaderCounts, RebalancePlan } from '../rebalance/types.js';

const counts = (c: LeaderCounts) => `${c.streams}/${c.consumers}/${c.total}`;
const rate = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(1));

/** The plan as an operator reads it: per server before and after, then each move with its command. */
export function formatPlan(plan: RebalancePlan, mode: 'dry-run' | 'execute'): string {
  const lines: string[] = [];
  if (plan.clusters.length === 0) lines.push('No JetStream cluster answered with replicated groups: nothing to rebalance.');
  for (const cluster of plan.clusters) lines.push(...clusterLines(cluster, mode), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function clusterLines(cluster: ClusterPlan, mode: 'dry-run' | 'execute'): string[] {
  const name = cluster.cluster || '(no cluster name)';
  const lines = [
    `Cluster ${name}: max leaders per server ${cluster.maxBefore} -> ${cluster.maxAfter} (average ${cluster.average.toFixed(1)}), ${cluster.moves.length} move${cluster.moves.length === 1 ? '' : 's'}${mode === 'dry-run' && cluster.moves.length > 0 ? ' (dry run: nothing changed; add --execute to carry it out)' : ''}`,
    '  leaders per server (streams/consumers/total): before -> after',
    ...cluster.servers.map((s) => `    ${s.name.padEnd(16)} ${counts(s.before).padStart(10)} -> ${counts(s.after)}`),
  ];
  if (cluster.by === 'load') {
    lines.push(
      `  stream writes per server (msg/s): before -> after; busiest ${rate(cluster.maxLoadBefore)} -> ${rate(cluster.maxLoadAfter)}${cluster.optimal === false ? ' (best found within the search budget, not proven optimal)' : ''}`,
      ...cluster.servers.map((s) => `    ${s.name.padEnd(16)} ${rate(s.loadBefore).padStart(10)} -> ${rate(s.loadAfter)}`),
    );
  }
  if (cluster.moves.length > 0) {
    lines.push('  moves, in order:');
    cluster.moves.forEach((m, i) => {
      const command = m.kind === 'stream' ? natscli.streamStepDown(m.stream) : natscli.consumerStepDown(m.stream, m.consumer!);
      const carries = m.load === undefined ? '' : ` (${rate(m.load)} msg/s)`;
      lines.push(`    ${String(i + 1).padStart(3)}. ${describeGroup(m)}${carries}: ${m.from} -> ${m.to}   \`${command}\` until ${m.to} leads`);
    });
  }
  for (const u of cluster.unmovable) {
    lines.push(`  left alone: ${describeGroup(u)} led by ${u.leader ?? 'nobody'}: ${u.reason}`);
  }
  return lines;
}

export function formatExecution(result: ExecuteResult): string {
  const lines = result.outcomes.map((o) => {
    const where = o.leader ? ` now led by ${o.leader}` : '';
    return `  ${o.result.padEnd(15)} ${describeGroup(o.move)}${where}${o.stepDowns ? ` (${o.stepDowns} step-down${o.stepDowns === 1 ? '' : 's'})` : ''}${o.detail ? `: ${o.detail}` : ''}`;
  });
  if (result.stoppedBy) lines.push(`  stopped: ${result.stoppedBy}`);
  return `${lines.join('\n')}\n`;
}
