import type { LogSink } from './log.js';

/** CloudWatch namespace of every metric the auditor emits (alarms in lib/infra use it too). */
export const METRIC_NAMESPACE = 'NatsAudit';

/** Metrics emitted once per invocation, per cluster. */
export const AUDIT_METRICS = {
  /** 1 for every invocation that ran for the cluster; its absence fires the missing-heartbeat alarm. */
  Heartbeat: 'Count',
  /** Distinct servers that answered JSZ this epoch. */
  ServersAnswering: 'Count',
  /** Time gathering took, connecting included. */
  SampleLatency: 'Milliseconds',
  CriticalFindings: 'Count',
  WarningFindings: 'Count',
  NotificationsPublished: 'Count',
  /** Leaders the automatic rebalancing moved this epoch (only for clusters that opted in). */
  LeadersMoved: 'Count',
  /** Whole invocation, from event to recorded run. */
  EpochDuration: 'Milliseconds',
  /** 1 when the audit could not run (bad config or secret, refused credentials, SNS failing). */
  AuditFailed: 'Count',
} as const;

export type AuditMetricName = keyof typeof AUDIT_METRICS;

/**
 * Writes one embedded-metric-format record: CloudWatch extracts the metrics
 * from the log line, so no API call (and no extra IAM) is needed and the
 * numbers cannot disagree with the logs.
 */
export function emitMetrics(sink: LogSink, cluster: string, values: Partial<Record<AuditMetricName, number>>, timestamp = Date.now()): void {
  const names = (Object.keys(values) as AuditMetricName[]).filter((n) => Number.isFinite(values[n]));
  if (names.length === 0) return;
  const record: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['Cluster']],
          Metrics: names.map((name) => ({ Name: name, Unit: AUDIT_METRICS[name] })),
        },
      ],
    },
    Cluster: cluster,
  };
  for (const name of names) record[name] = values[name];
  sink(JSON.stringify(record));
}
