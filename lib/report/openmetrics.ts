/**
 * An epoch as OpenMetrics text (`check --format openmetrics`, `/metrics`),
 * in the spirit of natscli's `nats server check --format prometheus`: a
 * Nagios-compatible status code plus gauges, one set per audited cluster.
 *
 * Every family is a gauge, so the same text is also valid in Prometheus'
 * older text format (0.0.4), which node_exporter's textfile collector reads:
 * there `# UNIT` and `# EOF` are plain comments. No sample carries a
 * timestamp (the textfile collector refuses them); the epoch's time is a
 * metric of its own so rules can tell a stale audit.
 */
import { clusterLeaderCounts } from '../checks/cluster-leader-counts.js';
import type { Observation } from '../observation/types.js';
import { EXIT_CODES, type Report } from '../epoch/report.js';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** The same body offered to clients that do not ask for OpenMetrics (curl, older scrapers). */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** OpenMetrics `# UNIT`; the name then ends in `_<unit>`. */
  readonly unit?: string;
}

/**
 * Every metric exposed, in output order. Names follow Prometheus' conventions
 * (one `nats_audit_` namespace, base units in the name, `_total` only on
 * counters, and there are none): a test pins them and the README lists them,
 * since alert rules and dashboards depend on them.
 */
export const METRICS = {
  status: {
    name: 'nats_audit_status_code',
    help: 'Nagios compatible status of the last epoch: 0 ok, 1 warning, 2 critical, 3 unknown (the audit could not run)',
    labels: ['cluster', 'status'],
  },
  lastEpoch: {
    name: 'nats_audit_last_epoch_timestamp_seconds',
    help: 'When the last epoch that judged the cluster ended, in seconds since the Unix epoch',
    labels: ['cluster'],
    unit: 'seconds',
  },
  epochDuration: {
    name: 'nats_audit_epoch_duration_seconds',
    help: 'How long the last epoch took: gathering, judging and saving its state',
    labels: ['cluster'],
    unit: 'seconds',
  },
  serversAnswering: {
    name: 'nats_audit_servers_answering',
    help: 'Servers that answered from at least one vantage in the last epoch',
    labels: ['cluster'],
  },
  serversExpected: {
    name: 'nats_audit_servers_expected',
    help: 'Servers the cluster should have: --expect-servers, else the largest meta cluster size reported',
    labels: ['cluster'],
  },
  findings: {
    name: 'nats_audit_findings',
    help: 'Open findings of the last epoch by check, severity and persistence (transient: possibly a passing election; persistent: seen in enough consecutive epochs)',
    labels: ['cluster', 'check', 'severity', 'persistence'],
  },
  checkError: {
    name: 'nats_audit_check_error',
    help: '1 when the check threw in the last epoch, so its findings were left as they were',
    labels: ['cluster', 'check'],
  },
  serverLeaders: {
    name: 'nats_audit_server_leaders',
    help: 'Raft groups an answering JetStream server leads, by kind, counted as uneven_leader_distribution counts them',
    labels: ['cluster', 'nats_cluster', 'server', 'kind'],
  },
} as const satisfies Record<string, MetricSpec>;

/** What one cluster's metrics are rendered from. */
export interface EpochMetricsInput {
  /** The cluster's key in output and state (`--cluster`, else the URLs). */
  readonly cluster: string;
  /** The epoch's report; absent when the audit could not run this time. */
  readonly report?: Report;
  /** What the epoch saw; absent when nothing about the cluster was seen. */
  readonly observation?: Pick<Observation, 'servers' | 'groups' | 'expectedServerCount'>;
  /**
   * End of the last epoch that judged the cluster, in ms, when `report` is
   * absent: a failed audit must not look fresh to a staleness rule.
   */
  readonly lastEpochEndMs?: number;
}

const SEVERITIES = ['warning', 'critical'] as const;
const PERSISTENCE = ['transient', 'persistent'] as const;

type Sample = readonly [labels: readonly string[], value: number];

/** One or more clusters' epochs as one OpenMetrics exposition, ending in `# EOF`. */
export function formatOpenMetrics(epochs: readonly EpochMetricsInput[]): string {
  const families = new Map<MetricSpec, Sample[]>(Object.values(METRICS).map((spec) => [spec, []]));
  const add = (spec: MetricSpec, labels: readonly string[], value: number) => families.get(spec)!.push([labels, value]);

  for (const epoch of epochs) {
    const { cluster, report } = epoch;
    const status = report?.status ?? 'unknown';
    add(METRICS.status, [cluster, status], EXIT_CODES[status]);
    const endMs = report ? Date.parse(report.epoch.startedAt) + report.epoch.durationMs : epoch.lastEpochEndMs;
    if (endMs !== undefined) add(METRICS.lastEpoch, [cluster], endMs / 1000);
    if (!report) continue;
    add(METRICS.epochDuration, [cluster], report.epoch.durationMs / 1000);
    if (epoch.observation) {
      add(METRICS.serversAnswering, [cluster], report.servers.length);
      add(METRICS.serversExpected, [cluster], epoch.observation.expectedServerCount);
    }
    for (const [labels, value] of findingCounts(report).values()) add(METRICS.findings, [cluster, ...labels], value);
    for (const run of report.checks) {
      if (run.outcome !== 'skipped') add(METRICS.checkError, [cluster, run.check], run.outcome === 'error' ? 1 : 0);
    }
    if (epoch.observation) {
      for (const { cluster: natsCluster, counts } of clusterLeaderCounts(epoch.observation, 1)) {
        for (const [server, c] of counts) {
          add(METRICS.serverLeaders, [cluster, natsCluster, server, 'stream'], c.streams);
          add(METRICS.serverLeaders, [cluster, natsCluster, server, 'consumer'], c.consumers);
        }
      }
    }
  }

  const lines: string[] = [];
  for (const [spec, samples] of families) {
    if (samples.length === 0) continue;
    lines.push(`# TYPE ${spec.name} gauge`);
    if (spec.unit) lines.push(`# UNIT ${spec.name} ${spec.unit}`);
    lines.push(`# HELP ${spec.name} ${escapeHelp(spec.help)}`);
    const written = new Set<string>();
    for (const [values, value] of samples) {
      const series = `${spec.name}{${spec.labels.map((label, i) => `${label}="${escapeLabelValue(values[i]!)}"`).join(',')}}`;
      // Two names differing only in lone surrogates read alike once made
      // UTF-8; a repeated series would void the whole exposition.
      if (written.has(series)) continue;
      written.add(series);
      lines.push(`${series} ${formatValue(value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/**
 * Open findings per (check, severity, persistence), every combination of a
 * check that ran pre-filled with zero: a rule can then tell "none" from "not
 * reported", and a series does not vanish when its finding resolves.
 */
function findingCounts(report: Report): Map<string, readonly [readonly string[], number]> {
  const counts = new Map<string, [readonly string[], number]>();
  const key = (labels: readonly string[]) => labels.join('\u0000');
  const checks = [...new Set([...report.checks.filter((r) => r.outcome !== 'skipped').map((r) => r.check), ...report.findings.map((f) => f.check)])];
  for (const check of checks) {
    for (const severity of SEVERITIES) {
      for (const persistence of PERSISTENCE) {
        const labels = [check, severity, persistence];
        counts.set(key(labels), [labels, 0]);
      }
    }
  }
  for (const f of report.findings) {
    const entry = counts.get(key([f.check, f.severity, f.lifecycle.persistent ? 'persistent' : 'transient']))!;
    entry[1]++;
  }
  return counts;
}

/**
 * A label value as OpenMetrics and the 0.0.4 text format both read it:
 * backslash, double quote and line feed escaped. Values come from servers
 * (server and cluster names) and operators (cluster keys); a lone UTF-16
 * surrogate, which has no UTF-8 form, becomes U+FFFD here rather than an
 * invalid byte sequence on the wire.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD').replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
