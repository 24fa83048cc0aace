import { DEFAULT_LOAD_DETAIL_EVERY } from '../load/detail-cadence.js';
import * as z from 'zod';
import type { CheckRegistry } from '../checks/registry.js';
import { ConfigError } from '../errors.js';
import { ConnectionOptionsError, parseServerUrl } from '../sampling/connection-options.js';
import { issuePath, issueText } from '../util/issue-text.js';
import { DEFAULT_CONFIRM_DELAY_MS, MAX_CONFIRM_DELAY_MS } from '../epoch/confirmation.js';
import { joinBounded } from '../util/bounded.js';

/**
 * The fleet file: every cluster the auditor watches, where its auditor runs
 * (an AWS account and region, optionally inside a VPC), and where findings go.
 * Parsed once here; the CDK app, the Lambda and `check --fleet` all read the
 * typed result.
 *
 * A cluster's system-account credentials never appear in this file: it names
 * a Secrets Manager secret holding them.
 */

const ACCOUNT = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const REGION = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');
const NAME = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,47}$/, 'must start with a letter and hold only letters, digits and dashes (at most 48)');
const SEVERITY = z.enum(['warning', 'critical'], { error: 'must be warning or critical' });

/** EventBridge Scheduler expressions the auditor accepts (cron is allowed too). */
const SCHEDULE = z
  .string()
  .regex(
    /^(rate\(\s*\d+\s+(minute|minutes|hour|hours)\s*\)|cron\(.+\))$/,
    'must be rate(N minutes) or cron(...) as EventBridge Scheduler takes it',
  )
  .refine((s) => !/^rate\(\s*0\s/.test(s), 'rate must be at least 1');

const SECRET = z
  .string()
  .regex(
    /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/,
    'must be a Secrets Manager secret ARN or name',
  );

const persistenceSchema = z.strictObject({
  /** Consecutive epochs before a finding counts as persistent. */
  epochs: z.number().int().min(1).optional(),
  /** And at least this many seconds since first seen. */
  minSeconds: z.number().min(0).optional(),
});

const auditSettingsSchema = z.strictObject({
  schedule: SCHEDULE.optional(),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
  /** Wait before sampling again when an epoch sees signs of an election; at most one election timeout. */
  confirmDelayMs: z.number().int().min(0).max(MAX_CONFIRM_DELAY_MS).optional(),
  persistence: persistenceSchema.optional(),
  /** Threshold overrides, `{ "uneven_leader_distribution": { "ratio": 2 } }`. */
  thresholds: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  skip: z.array(z.string()).optional(),
  /** Re-send a still-open critical finding this often; 0 never. */
  reminderMinutes: z.number().int().min(0).optional(),
  /** Every server's stream detail at least every this many epochs, for leader_load_concentration (lib/load/detail-cadence.ts). */
  loadDetailEvery: z.number().int().min(1).max(1000).optional(),
});

const distinct = (ids: readonly string[]) => new Set(ids).size === ids.length;

/** Lambda takes at most 16 subnets and 5 security groups per function. */
const networkSchema = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-...)'),
  subnetIds: z
    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-...)'))
    .min(1)
    .max(16)
    .refine(distinct, 'must not list a subnet twice'),
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-...)'))
    .min(1)
    .max(5)
    .refine(distinct, 'must not list a security group twice'),
});

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const logsSchema = z.strictObject({
  /** Days the auditor's log group keeps its lines; 365 or more where Control Tower's CT.CLOUDWATCH.PR.2 is enforced. */
  retentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`)
    .optional(),
  /** Encrypt the log group with a customer managed key the stack creates (CT.CLOUDWATCH.PR.3). */
  encrypted: z.boolean().optional(),
});

const environmentSchema = z.strictObject({
  account: ACCOUNT,
  region: REGION,
  /** Run the auditor inside this VPC to reach private clusters. */
  network: networkSchema.optional(),
  /** The auditor's log group. */
  logs: logsSchema.optional(),
  /** The environment's CloudWatch dashboard (on unless `{"enabled": false}`). */
  dashboard: z.strictObject({ enabled: z.boolean() }).optional(),
  /** Where the auditor's own health alarms (errors, dead letters, missing heartbeat) are emailed. */
  alarmEmails: z.array(z.email('must be an email address')).optional(),
});

const clusterSchema = z.strictObject({
  name: NAME,
  /** Key into `environments`: where this cluster's auditor runs. */
  environment: NAME,
  /** Every server's client URL, so each server is a vantage point. No credentials in URLs. */
  servers: z.array(z.string()).min(1, 'must list at least one server URL'),
  /** Secret holding the system account credentials, see README "Credentials secret". */
  credentialsSecret: SECRET,
  expectServers: z.number().int().min(1).optional(),
  audit: auditSettingsSchema.optional(),
  /** Only findings of this severity or worse are published for this cluster. */
  notifyMinSeverity: SEVERITY.optional(),
  /** Whether the scheduled auditor may step leaders down itself; see README "Leader rebalancing". */
  autoRebalance: z
    .strictObject({
      enabled: z.boolean(),
      maxMovesPerEpoch: z.number().int().min(1).max(100).optional(),
      /** Act on a persistent uneven_leader_distribution (`count`, the default) or leader_load_concentration (`load`). */
      by: z.enum(['count', 'load']).optional(),
    })
    .optional(),
});

const emailSubscriptionSchema = z.strictObject({
  address: z.email('must be an email address'),
  /** Deliver only findings of this severity or worse. @default critical */
  minSeverity: SEVERITY.optional(),
});

const notificationsSchema = z.strictObject({
  /** The monitoring account and region holding the central findings topic. */
  account: ACCOUNT,
  region: REGION,
  /** Accounts allowed to publish; default: every environment's account. */
  publisherAccounts: z.array(ACCOUNT).optional(),
  /** Instead of listing accounts: allow every account of this AWS Organization. */
  organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id (o-...)').optional(),
  email: z.array(emailSubscriptionSchema).optional(),
  slack: z
    .strictObject({
      workspaceId: z.string().regex(/^[A-Z0-9]{1,255}$/, 'must be the Slack workspace id AWS Chatbot shows'),
      channelId: z.string().regex(/^[A-Z0-9]{1,255}$/, 'must be a Slack channel id'),
    })
    .optional(),
});

export const fleetConfigSchema = z.strictObject({
  /** Settings every cluster inherits unless it overrides them. */
  defaults: auditSettingsSchema.optional(),
  notifications: notificationsSchema,
  environments: z.record(NAME, environmentSchema).refine((e) => Object.keys(e).length > 0, 'must name at least one environment'),
  clusters: z.array(clusterSchema).min(1, 'must list at least one cluster'),
});

export type FleetConfigInput = z.input<typeof fleetConfigSchema>;
type ParsedFleet = z.infer<typeof fleetConfigSchema>;

export const FLEET_DEFAULTS = {
  /** One epoch a minute: an election settles in seconds, a partition shows within two epochs. */
  schedule: 'rate(1 minute)',
  timeoutMs: 5_000,
  confirmDelayMs: DEFAULT_CONFIRM_DELAY_MS,
  persistenceEpochs: 2,
  persistenceMinSeconds: 0,
  /** A still-open critical is re-sent every 4 hours, so a forgotten page comes back. */
  reminderMinutes: 240,
  notifyMinSeverity: 'warning',
  autoRebalanceMaxMoves: 5,
  /** A month of logs: enough to look back on an incident, cheap to keep. */
  logRetentionDays: 30,
} as const;

/** One cluster with every default applied: what an epoch needs. */
export interface ClusterAuditConfig {
  readonly name: string;
  readonly environment: string;
  readonly servers: readonly string[];
  readonly credentialsSecret: string;
  readonly expectServers?: number;
  readonly schedule: string;
  readonly timeoutMs: number;
  /** Delay before an epoch samples again to confirm signs of an election (lib/epoch/confirmation.ts). */
  readonly confirmDelayMs: number;
  readonly persistence: { readonly epochs: number; readonly minSeconds: number };
  readonly thresholds: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly skip: readonly string[];
  readonly reminderMinutes: number;
  readonly notifyMinSeverity: 'warning' | 'critical';
  readonly autoRebalance: { readonly enabled: boolean; readonly maxMovesPerEpoch: number; readonly by?: 'count' | 'load' };
  /** @default DEFAULT_LOAD_DETAIL_EVERY */
  readonly loadDetailEvery?: number;
}

export interface EnvironmentConfig {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly network?: z.infer<typeof networkSchema>;
  readonly alarmEmails: readonly string[];
  /** The auditor's log group, defaults applied. */
  readonly logs: { readonly retentionDays: number; readonly encrypted: boolean };
  /** Whether the environment gets its fleet dashboard. */
  readonly dashboard: boolean;
}

export interface NotificationsConfig {
  readonly account: string;
  readonly region: string;
  /** Accounts allowed to publish (listed, or every environment's account). */
  readonly publisherAccounts: readonly string[];
  readonly organizationId?: string;
  readonly email: readonly { readonly address: string; readonly minSeverity: 'warning' | 'critical' }[];
  /** AWS Chatbot subscribes the topic itself, without a filter: the channel sees every notification. */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
}

export interface FleetConfig {
  readonly notifications: NotificationsConfig;
  readonly environments: readonly EnvironmentConfig[];
  readonly clusters: readonly ClusterAuditConfig[];
}

/**
 * Validates a parsed fleet document. Every error names the field by its path
 * (`clusters[2].servers[0]`) and the problem; values are never echoed, since
 * a mistaken file may hold a secret where a name was expected.
 */
export function parseFleetConfig(json: unknown, registry: CheckRegistry, source = 'fleet'): FleetConfig {
  const parsed = fleetConfigSchema.safeParse(json, { error: issueText });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${source}: ${issuePath(issue.path)}`, issue.message);
  }
  const fleet = parsed.data;
  checkSettingsAgainstRegistry(fleet.defaults, 'defaults', registry, source);
  const names = new Map<string, number>();
  fleet.clusters.forEach((cluster, i) => {
    const at = `clusters[${i}]`;
    const first = names.get(cluster.name);
    if (first !== undefined) throw new ConfigError(`${source}: ${at}.name`, `is also the name of clusters[${first}]`);
    names.set(cluster.name, i);
    if (!Object.hasOwn(fleet.environments, cluster.environment)) {
      throw new ConfigError(`${source}: ${at}.environment`, `names no environment of this file; environments: ${listed(Object.keys(fleet.environments))}`);
    }
    cluster.servers.forEach((url, j) => checkServerUrl(url, `${source}: ${at}.servers[${j}]`));
    checkSettingsAgainstRegistry(cluster.audit, `${at}.audit`, registry, source);
  });
  return resolveFleet(fleet);
}

function resolveFleet(fleet: ParsedFleet): FleetConfig {
  const environments = Object.entries(fleet.environments).map(([name, e]) => ({
    name,
    account: e.account,
    region: e.region,
    network: e.network,
    alarmEmails: e.alarmEmails ?? [],
    logs: { retentionDays: e.logs?.retentionDays ?? FLEET_DEFAULTS.logRetentionDays, encrypted: e.logs?.encrypted ?? false },
    dashboard: e.dashboard?.enabled ?? true,
  }));
  const n = fleet.notifications;
  return {
    notifications: {
      account: n.account,
      region: n.region,
      publisherAccounts: n.publisherAccounts ?? [...new Set(environments.map((e) => e.account))],
      organizationId: n.organizationId,
      email: (n.email ?? []).map((e) => ({ address: e.address, minSeverity: e.minSeverity ?? 'critical' })),
      slack: n.slack,
    },
    environments,
    clusters: fleet.clusters.map((c) => resolveCluster(c, fleet.defaults ?? {})),
  };
}

function resolveCluster(c: ParsedFleet['clusters'][number], defaults: NonNullable<ParsedFleet['defaults']>): ClusterAuditConfig {
  const own = c.audit ?? {};
  const thresholds: Record<string, Record<string, number>> = {};
  for (const source of [defaults.thresholds ?? {}, own.thresholds ?? {}]) {
    for (const [check, values] of Object.entries(source)) thresholds[check] = { ...thresholds[check], ...values };
  }
  return {
    name: c.name,
    environment: c.environment,
    servers: c.servers,
    credentialsSecret: c.credentialsSecret,
    expectServers: c.expectServers,
    schedule: own.schedule ?? defaults.schedule ?? FLEET_DEFAULTS.schedule,
    timeoutMs: own.timeoutMs ?? defaults.timeoutMs ?? FLEET_DEFAULTS.timeoutMs,
    confirmDelayMs: own.confirmDelayMs ?? defaults.confirmDelayMs ?? FLEET_DEFAULTS.confirmDelayMs,
    persistence: {
      epochs: own.persistence?.epochs ?? defaults.persistence?.epochs ?? FLEET_DEFAULTS.persistenceEpochs,
      minSeconds: own.persistence?.minSeconds ?? defaults.persistence?.minSeconds ?? FLEET_DEFAULTS.persistenceMinSeconds,
    },
    thresholds,
    skip: [...new Set([...(defaults.skip ?? []), ...(own.skip ?? [])])],
    reminderMinutes: own.reminderMinutes ?? defaults.reminderMinutes ?? FLEET_DEFAULTS.reminderMinutes,
    notifyMinSeverity: c.notifyMinSeverity ?? FLEET_DEFAULTS.notifyMinSeverity,
    autoRebalance: {
      enabled: c.autoRebalance?.enabled ?? false,
      maxMovesPerEpoch: c.autoRebalance?.maxMovesPerEpoch ?? FLEET_DEFAULTS.autoRebalanceMaxMoves,
      by: c.autoRebalance?.by ?? 'count',
    },
    loadDetailEvery: own.loadDetailEvery ?? defaults.loadDetailEvery ?? DEFAULT_LOAD_DETAIL_EVERY,
  };
}

function checkServerUrl(url: string, field: string): void {
  let parsed;
  try {
    parsed = parseServerUrl(url);
  } catch (error) {
    // Its problem quotes the URL; this file's errors quote no value.
    if (error instanceof ConnectionOptionsError) throw new ConfigError(field, 'must be a nats:// or tls:// URL of one server, host[:port]');
    throw error;
  }
  if (parsed.user !== undefined) {
    throw new ConfigError(field, 'must not carry credentials; put them in the credentials secret');
  }
}

function checkSettingsAgainstRegistry(
  settings: z.infer<typeof auditSettingsSchema> | undefined,
  at: string,
  registry: CheckRegistry,
  source: string,
): void {
  if (!settings) return;
  const known = registry.ids().join(', ');
  (settings.skip ?? []).forEach((id, i) => {
    if (!registry.get(id)) throw new ConfigError(`${source}: ${at}.skip[${i}]`, `is no check; checks: ${known}`);
  });
  for (const [id, values] of Object.entries(settings.thresholds ?? {})) {
    const check = registry.get(id);
    if (!check) throw new ConfigError(`${source}: ${issuePath([id], `${at}.thresholds`)}`, `is no check; checks: ${known}`);
    for (const [key, value] of Object.entries(values)) {
      const spec = check.thresholds.find((t) => t.key === key);
      const field = `${source}: ${issuePath([id, key], `${at}.thresholds`)}`;
      if (!spec) {
        const keys = check.thresholds.map((t) => t.key);
        throw new ConfigError(field, `${id} has no such threshold${keys.length ? `; it has: ${keys.join(', ')}` : ''}`);
      }
      const whole = spec.unit === 'count' || spec.unit === 'epochs';
      if (!(value >= spec.min) || (whole && !Number.isInteger(value))) {
        throw new ConfigError(field, `must be a ${whole ? 'whole number' : 'number'} of at least ${spec.min} (${spec.unit})`);
      }
    }
  }
}

/** Names from the file (environments) in an error: a few, then a count. */
function listed(names: readonly string[]): string {
  return joinBounded(names, 5, ', ');
}
