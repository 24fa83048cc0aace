/**
 * Saved CloudWatch Logs Insights queries over the function's log lines: the
 * per-cluster detail that is no longer a metric per cluster. Kept beside the
 * code that writes the fields they read (audit-handler.ts's `epoch done`,
 * watchdog.ts's `watchdog`), so a renamed field shows up here in review.
 * No CDK import: lib/infra turns them into QueryDefinitions.
 */
import { EPOCH_DONE_MESSAGE, EPOCH_FAILED_MESSAGE } from './epoch-log-messages.js';

export interface LogQuery {
  readonly name: (environment: string) => string;
  readonly fields: readonly string[];
  readonly filterStatements: readonly string[];
  readonly statsStatements?: readonly string[];
  readonly sort?: string;
  readonly limit?: number;
}

export const LOG_QUERIES = {
  /** Every cluster's epochs in the chosen time range: last status, servers answering, slowest epoch, notices sent. */
  epochs: {
    name: (environment) => `nats-audit/${environment}/epochs`,
    fields: ['@timestamp', 'cluster', 'status', 'servers', 'durationMs', 'notified'],
    filterStatements: [`message = '${EPOCH_DONE_MESSAGE}' or message = '${EPOCH_FAILED_MESSAGE}'`],
    statsStatements: [
      'latest(status) as lastStatus, latest(servers) as lastServers, max(durationMs) as maxDurationMs, sum(notified) as notices, count(*) as epochs, max(@timestamp) as lastEpoch by cluster',
    ],
    sort: 'cluster asc',
  },
  /** Epochs that failed or found something, newest first. */
  problems: {
    name: (environment) => `nats-audit/${environment}/problems`,
    fields: ['@timestamp', 'cluster', 'scheduledTime', 'status', 'error', 'findings.0.check', 'notices.0'],
    filterStatements: ["level = 'error' or status = 'critical' or status = 'warning' or ispresent(notices.0)"],
    sort: '@timestamp desc',
    limit: 200,
  },
  /** The watchdog's verdicts: which clusters it called stale or failing, and when. */
  watchdog: {
    name: (environment) => `nats-audit/${environment}/watchdog`,
    fields: ['@timestamp', 'clusters', 'stale.0.cluster', 'failing.0.cluster', 'recovered.0'],
    filterStatements: ["message = 'watchdog'"],
    sort: '@timestamp desc',
    limit: 100,
  },
} as const satisfies Record<string, LogQuery>;
