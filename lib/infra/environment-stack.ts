import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { defaultRegistry } from '../checks/index.js';
import type { ClusterAuditConfig, EnvironmentConfig, NotificationsConfig } from '../fleet/fleet-config.js';
import { AuditAlarms } from './audit-alarms.js';
import { AuditFunction, type AuditFunctionProps } from './audit-function.js';
import { AuditSchedules, type AuditSchedulesProps } from './audit-schedules.js';
import { AuditStateTable, type AuditStateTableProps } from './audit-state-table.js';
import { AuditorHealthTopic } from './auditor-health-topic.js';
import { findingsDestination } from './findings-destination.js';
import { FleetDashboard, type FleetDashboardProps } from './fleet-dashboard.js';
import { FleetWatchdog } from './fleet-watchdog.js';

/** Lambda's own retries of a failed epoch (on top of the scheduler's delivery retries). */
const ASYNC_RETRY_ATTEMPTS = 2;
const ASYNC_MAX_EVENT_AGE = Duration.minutes(5);

/** Behaviour options of the environment's parts; what they connect to comes from the fleet. */
export interface EnvironmentStackOptions {
  /** @default - AuditFunction's defaults */
  readonly function?: Pick<AuditFunctionProps, 'memorySize' | 'timeout' | 'logRetention' | 'historyDays' | 'reservedConcurrentExecutions' | 'entry'>;
  /** @default - AuditStateTable's defaults */
  readonly table?: AuditStateTableProps;
  /** @default - AuditSchedules' defaults */
  readonly schedules?: Pick<AuditSchedulesProps, 'retryAttempts' | 'maxEventAge'>;
  /** @default - FleetDashboard's defaults (made unless the fleet file turns it off) */
  readonly dashboard?: Pick<FleetDashboardProps, 'bin' | 'defaultInterval' | 'dashboardName'>;
}

export interface NatsAuditEnvironmentStackProps extends Omit<StackProps, 'env'>, EnvironmentStackOptions {
  /** The environment: its account and region become the stack's. */
  readonly environment: EnvironmentConfig;
  /** The clusters whose auditor runs in this environment. */
  readonly clusters: readonly ClusterAuditConfig[];
  /** Where the central findings topic lives. */
  readonly notifications: Pick<NotificationsConfig, 'account' | 'region'>;
}

/**
 * One environment's auditor: the function, its state table, a schedule per
 * cluster, and alarms about the auditor mailed through a health topic.
 * Findings go to the central topic in the notifications account.
 */
export class NatsAuditEnvironmentStack extends Stack {
  readonly auditor: AuditFunction;
  readonly state: AuditStateTable;
  readonly schedules: AuditSchedules;
  readonly health: AuditorHealthTopic;
  readonly alarms: AuditAlarms;
  /** Absent where the fleet file turns the environment's dashboard off. */
  readonly dashboard?: FleetDashboard;
  readonly watchdog: FleetWatchdog;

  constructor(scope: Construct, id: string, props: NatsAuditEnvironmentStackProps) {
    const { environment, clusters, notifications, function: functionOptions, table, schedules, dashboard, ...stackProps } = props;
    super(scope, id, {
      description: `nats-audit auditor of environment ${environment.name}`,
      ...stackProps,
      env: { account: environment.account, region: environment.region },
    });

    this.state = new AuditStateTable(this, 'State', table);
    this.health = new AuditorHealthTopic(this, 'Health', { emails: environment.alarmEmails });
    this.auditor = new AuditFunction(this, 'Auditor', {
      ...functionOptions,
      environmentName: environment.name,
      clusters,
      stateTable: this.state,
      healthTopicArn: this.health.topic.topicArn,
      findings: findingsDestination(this.partition, notifications),
      network: environment.network,
      logRetention: functionOptions?.logRetention ?? environment.logs.retentionDays,
      logEncrypted: environment.logs.encrypted,
    });
    this.schedules = new AuditSchedules(this, 'Schedules', { ...schedules, function: this.auditor.function, clusters });
    // The scheduler invokes asynchronously, so a failed epoch (SNS refused the
    // notices) is retried by Lambda with the same scheduled time: the retry
    // re-sends what was not delivered, the run ledger stops duplicates. An
    // event older than a few epochs is not worth retrying: the next epoch
    // sees the same findings. What still fails lands beside the scheduler's.
    this.auditor.function.configureAsyncInvoke({
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.schedules.deadLetterQueue),
    });
    this.alarms = new AuditAlarms(this, 'Alarms', {
      function: this.auditor.function,
      deadLetterQueue: this.schedules.deadLetterQueue,
      topic: this.health.topic,
    });
    this.watchdog = new FleetWatchdog(this, 'Watchdog', {
      environmentName: environment.name,
      function: this.auditor.function,
      logGroup: this.auditor.logGroup,
      clusters,
      topic: this.health.topic,
      topicKey: this.health.key,
      deadLetterQueue: this.schedules.deadLetterQueue,
    });
    if (environment.dashboard) {
      this.dashboard = new FleetDashboard(this, 'Dashboard', {
        ...dashboard,
        environmentName: environment.name,
        logGroup: this.auditor.logGroup,
        clusters,
        checks: defaultRegistry().ids(),
      });
    }
  }
}
