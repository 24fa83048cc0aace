import type { ClusterProblem, FleetHealth } from '../fleet/fleet-health.js';

/** SNS wants a subject under 100 ASCII characters. */
const SUBJECT_LIMIT = 99;

export interface HealthNotice {
  readonly subject: string;
  readonly message: string;
}

/**
 * The watchdog's mail to the environment's health topic when the set of
 * stale or failing clusters changed: every cluster still in trouble by name
 * and reason, and those back to normal. Plain text: its readers are the
 * alarm-email subscribers.
 */
export function healthNotice(environment: string, health: FleetHealth, recovered: readonly string[], query: string): HealthNotice {
  const troubled = health.stale.length + health.failing.length;
  const parts = [
    health.stale.length > 0 ? `${health.stale.length} not audited` : '',
    health.failing.length > 0 ? `${health.failing.length} failing` : '',
    recovered.length > 0 ? `${recovered.length} recovered` : '',
  ].filter(Boolean);
  const subject = `nats-audit ${environment}: ${troubled === 0 ? 'every cluster audited again' : parts.join(', ')}`;
  const lines = [`The nats-audit watchdog of environment ${environment}:`, ''];
  section(lines, 'Not audited (no completed run within its window: the schedule stopped firing, or every epoch fails before it records):', health.stale);
  section(lines, 'Failing (the latest run could not audit the cluster):', health.failing);
  if (recovered.length > 0) lines.push('Audited normally again:', ...recovered.map((c) => `- ${c}`), '');
  lines.push(`Per-cluster detail: the saved CloudWatch Logs Insights query ${query}.`);
  return { subject: subject.length > SUBJECT_LIMIT ? `${subject.slice(0, SUBJECT_LIMIT - 3)}...` : subject, message: lines.join('\n') };
}

function section(lines: string[], title: string, problems: readonly ClusterProblem[]): void {
  if (problems.length === 0) return;
  lines.push(title, ...problems.map((p) => `- ${p.cluster}: ${p.reason}`), '');
}
