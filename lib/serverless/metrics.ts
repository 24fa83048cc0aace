import type { LogSink } from './log.js';

/** CloudWatch namespace of every metric the auditor emits (alarms in lib/infra use it too). */
export const METRIC_NAMESPACE = 'NatsAudit';

/** Dimension of the watchdog's metrics: one figure per environment, whatever its cluster count. */
export const ENVIRONMENT_DIMENSION = 'Environment';

/**
 * Metrics the watchdog emits once per run, per environment. Per-cluster
 * figures are not metrics (each would cost $0.30 a month per cluster): they
 * are fields of the handler's one log line per epoch, read with the saved
 * Logs Insights queries (lib/infra/audit-queries.ts).
 */
export const FLEET_METRICS = {
  /** Clusters with no completed run within their window: their schedule stopped firing, or every epoch fails before recording. */
  StaleClusters: 'Count',
  /** Clusters whose latest recorded run failed (configuration, credentials, authorization). */
  FailingClusters: 'Count',
} as const;

export type FleetMetricName = keyof typeof FLEET_METRICS;

/**
 * Writes one embedded-metric-format record: CloudWatch extracts the metrics
 * from the log line, so no API call (and no extra IAM) is needed and the
 * numbers cannot disagree with the logs.
 */
export function emitMetrics(sink: LogSink, environment: string, values: Partial<Record<FleetMetricName, number>>, timestamp = Date.now()): void {
  const names = (Object.keys(values) as FleetMetricName[]).filter((n) => Number.isFinite(values[n]));
  if (names.length === 0) return;
  const record: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [[ENVIRONMENT_DIMENSION]],
          Metrics: names.map((name) => ({ Name: name, Unit: FLEET_METRICS[name] })),
        },
      ],
    },
    [ENVIRONMENT_DIMENSION]: environment,
  };
  for (const name of names) record[name] = values[name];
  sink(JSON.stringify(record));
}
