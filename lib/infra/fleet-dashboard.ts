import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { EPOCH_DONE_MESSAGE, EPOCH_FAILED_MESSAGE } from '../serverless/epoch-log-messages.js';

export const FLEET_DASHBOARD_DEFAULTS = {
  /** Width of one point of the charts over time: five epochs of the default schedule. */
  bin: Duration.minutes(5),
  /** What the dashboard shows when opened. */
  defaultInterval: Duration.hours(3),
} as const;

/** Grid units: CloudWatch dashboards are 24 wide; four widgets make one row per cluster. */
const WIDGET_WIDTH = 6;
const WIDGET_HEIGHT = 6;

/** The status scale of the status chart, worst last. */
export const DASHBOARD_STATUS_LEVELS = { ok: 0, warning: 1, critical: 2, failed: 3 } as const;

export interface FleetDashboardProps {
  /** The fleet environment, in the dashboard's name and header. */
  readonly environmentName: string;
  /** The log group the auditor writes its epoch lines to; every widget queries it. */
  readonly logGroup: logs.ILogGroup;
  /** One row of widgets per cluster, in this order. */
  readonly clusters: readonly ClusterAuditConfig[];
  /** Check ids, one series each in a cluster's open-findings chart (less the checks the cluster skips). */
  readonly checks: readonly string[];
  /**
   * Width of one point of the charts over time.
   *
   * @default Duration.minutes(5)
   */
  readonly bin?: Duration;
  /**
   * Time range shown when the dashboard is opened.
   *
   * @default Duration.hours(3)
   */
  readonly defaultInterval?: Duration;
  /**
   * The dashboard's name (unique per account).
   *
   * @default `nats-audit-<environmentName>`
   */
  readonly dashboardName?: string;
}

/**
 * One CloudWatch dashboard for an environment: per cluster, its status over
 * time, the open findings by check, the epoch duration and the leaders each
 * server holds. Every widget is a Logs Insights query over the auditor's
 * epoch lines (lib/serverless/epoch-log-fields.ts), so the dashboard adds no
 * custom metric: it costs $3 a month beyond the account's three free
 * dashboards, plus the bytes each query scans when someone looks.
 */
export class FleetDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: FleetDashboardProps) {
    super(scope, id);
    const bin = props.bin ?? FLEET_DASHBOARD_DEFAULTS.bin;
    const queries = new DashboardQueries(`${bin.toMinutes()}m`);
    const logGroupNames = [props.logGroup.logGroupName];
    const widget = (title: string, view: cloudwatch.LogQueryVisualizationType, queryLines: string[]) =>
      new cloudwatch.LogQueryWidget({ title, logGroupNames, queryLines, view, width: WIDGET_WIDTH, height: WIDGET_HEIGHT });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `nats-audit-${props.environmentName}`,
      defaultInterval: props.defaultInterval ?? FLEET_DASHBOARD_DEFAULTS.defaultInterval,
    });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: header(props.environmentName, bin), width: 24, height: 2 }));
    for (const cluster of props.clusters) {
      const checks = props.checks.filter((c) => !cluster.skip.includes(c));
      this.dashboard.addWidgets(
        widget(`${cluster.name}: status (0 ok, 1 warning, 2 critical, 3 audit failed)`, cloudwatch.LogQueryVisualizationType.LINE, queries.status(cluster.name)),
        widget(`${cluster.name}: open findings by check`, cloudwatch.LogQueryVisualizationType.LINE, queries.findingsByCheck(cluster.name, checks)),
        widget(`${cluster.name}: epoch duration (ms)`, cloudwatch.LogQueryVisualizationType.LINE, queries.epochDuration(cluster.name)),
        widget(`${cluster.name}: leaders per server (latest epoch)`, cloudwatch.LogQueryVisualizationType.BAR, queries.leadersPerServer(cluster.name)),
      );
    }
  }
}

/**
 * The Logs Insights queries, one per widget, as commands the widget joins
 * with pipes. Cluster names are letters,
 * digits and dashes (the fleet file's rule), so they sit in a quoted string
 * without escaping; check ids are lower-case words. Fields added for the
 * dashboard are read through jsonParse: Logs Insights discovers at most 200
 * fields of a JSON line, and a line with many findings or servers has more.
 */
export class DashboardQueries {
  constructor(private readonly bin: string) {}

  status(cluster: string): string[] {
    const { warning, critical, failed } = DASHBOARD_STATUS_LEVELS;
    return [
      `filter cluster = "${cluster}" and (message = "${EPOCH_DONE_MESSAGE}" or message = "${EPOCH_FAILED_MESSAGE}")`,
      // A failed epoch's line has no status.
      'fields coalesce(status, "failed") as outcome',
      `fields ${warning} * strcontains(outcome, "warning") + ${critical} * strcontains(outcome, "critical") + ${failed} * strcontains(outcome, "failed") as level`,
      `stats max(level) as worst by bin(${this.bin})`,
    ];
  }

  findingsByCheck(cluster: string, checks: readonly string[]): string[] {
    return [
      ...this.epochLines(cluster),
      `stats ${checks.map((c) => `max(coalesce(line.findingsByCheck.${c}, 0)) as ${c}`).join(', ')} by bin(${this.bin})`,
    ];
  }

  epochDuration(cluster: string): string[] {
    return [...this.epochLines(cluster), `stats avg(line.durationMs) as average, max(line.durationMs) as slowest by bin(${this.bin})`];
  }

  leadersPerServer(cluster: string): string[] {
    return [
      ...this.epochLines(cluster),
      'unnest line.leaders into leader',
      'stats latest(leader.streams) as streams, latest(leader.consumers) as consumers by leader.server',
    ];
  }

  private epochLines(cluster: string): string[] {
    return [`filter cluster = "${cluster}" and message = "${EPOCH_DONE_MESSAGE}"`, 'fields jsonParse(@message) as line'];
  }
}

function header(environment: string, bin: Duration): string {
  return [
    `# nats-audit: environment ${environment}`,
    `One row per cluster, from the auditor's epoch log lines (Logs Insights; each refresh scans the range shown). Charts over time take the worst of each ${bin.toMinutes()}-minute bin; leaders per server are from the latest epoch in the range.`,
  ].join('\n');
}
