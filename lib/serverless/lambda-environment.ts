import { DEFAULT_LOAD_DETAIL_EVERY } from '../load/detail-cadence.js';
import { gunzipSync } from 'node:zlib';
import * as z from 'zod';
import { ConfigError } from '../errors.js';
import type { ClusterAuditConfig } from '../fleet/fleet-config.js';
import { parseServerUrl } from '../sampling/connection-options.js';
import { issuePath, issueText } from '../util/issue-text.js';
import { DEFAULT_CONFIRM_DELAY_MS, MAX_CONFIRM_DELAY_MS } from '../epoch/confirmation.js';

/**
 * The function's environment, written by the CDK stack from the validated
 * fleet file and checked again here: a hand edit in the console must give a
 * clear error, not a TypeError at 3 a.m.
 */
export const ENVIRONMENT = {
  clusters: 'NATS_AUDIT_CLUSTERS',
  /** The same JSON, gzip-compressed and base64-encoded: what the stack writes when the plain form would pass Lambda's 4 KB. */
  clustersGz: 'NATS_AUDIT_CLUSTERS_GZ',
  table: 'NATS_AUDIT_TABLE',
  topicArn: 'NATS_AUDIT_TOPIC_ARN',
  historyDays: 'NATS_AUDIT_HISTORY_DAYS',
  /** The fleet environment the function audits; its watchdog events must name it. */
  environment: 'NATS_AUDIT_ENVIRONMENT',
  /** The environment's health topic, where the watchdog names stale and failing clusters. */
  healthTopicArn: 'NATS_AUDIT_HEALTH_TOPIC_ARN',
} as const;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

const clusterAuditConfigSchema = z.object({
  name: z.string().min(1),
  environment: z.string().min(1),
  servers: z.array(z.string().min(1).refine(isServerUrl, 'must be a nats:// or tls:// URL of one server, host[:port]')).min(1),
  credentialsSecret: z.string().min(1),
  expectServers: z.number().int().min(1).optional(),
  schedule: z.string(),
  timeoutMs: z.number().int().min(100),
  // Absent in environments synthesized before confirmation existed.
  confirmDelayMs: z.number().int().min(0).max(MAX_CONFIRM_DELAY_MS).default(DEFAULT_CONFIRM_DELAY_MS),
  persistence: z.object({ epochs: z.number().int().min(1), minSeconds: z.number().min(0) }),
  thresholds: z.record(z.string(), z.record(z.string(), z.number())),
  skip: z.array(z.string()),
  reminderMinutes: z.number().int().min(0),
  notifyMinSeverity: z.enum(['warning', 'critical']),
  // `by` and `loadDetailEvery` are absent in environments synthesized before load rebalancing existed.
  autoRebalance: z.object({ enabled: z.boolean(), maxMovesPerEpoch: z.number().int().min(1), by: z.enum(['count', 'load']).default('count') }),
  loadDetailEvery: z.number().int().min(1).default(DEFAULT_LOAD_DETAIL_EVERY),
}) satisfies z.ZodType<ClusterAuditConfig>;

/** The fleet file's rule, applied again: a hand-edited URL fails here, not as a host name lookup. */
function isServerUrl(url: string): boolean {
  try {
    parseServerUrl(url);
    return true;
  } catch {
    return false;
  }
}

export interface LambdaEnvironment {
  /** Valid clusters by name, and the problem with each invalid one (so its epochs can report it). */
  readonly clusters: ReadonlyMap<string, ClusterAuditConfig | ConfigError>;
  readonly tableName: string;
  readonly topicArn: string;
  readonly historyDays: number;
  /** Both set by the stack; the watchdog refuses to run without them, the audit needs neither. */
  readonly environmentName?: string;
  readonly healthTopicArn?: string;
}

export function readLambdaEnvironment(env: Readonly<Record<string, string | undefined>>): LambdaEnvironment {
  const raw = clustersJson(env);
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    throw new ConfigError(ENVIRONMENT.clusters, 'is not JSON');
  }
  if (!Array.isArray(entries)) throw new ConfigError(ENVIRONMENT.clusters, 'must be a JSON array of clusters');
  const clusters = new Map<string, ClusterAuditConfig | ConfigError>();
  entries.forEach((entry: unknown, i) => {
    const name = (entry as { name?: unknown } | null)?.name;
    // jitless: parsed once per container, so compiling zod's fast path would cost the cold start more than it saves.
    const parsed = clusterAuditConfigSchema.safeParse(entry, { error: issueText, jitless: true });
    if (parsed.success) {
      clusters.set(parsed.data.name, parsed.data);
    } else if (typeof name === 'string' && name !== '') {
      const issue = parsed.error.issues[0]!;
      clusters.set(name, new ConfigError(issuePath(issue.path, `${ENVIRONMENT.clusters}[${i}]`), issue.message));
    } else {
      throw new ConfigError(`${ENVIRONMENT.clusters}[${i}].name`, 'is missing');
    }
  });
  const topicArn = required(env, ENVIRONMENT.topicArn);
  if (!TOPIC_ARN.test(topicArn)) throw new ConfigError(ENVIRONMENT.topicArn, 'must be an SNS topic ARN');
  const healthTopicArn = env[ENVIRONMENT.healthTopicArn]?.trim() || undefined;
  if (healthTopicArn !== undefined && !TOPIC_ARN.test(healthTopicArn)) throw new ConfigError(ENVIRONMENT.healthTopicArn, 'must be an SNS topic ARN');
  const environmentName = env[ENVIRONMENT.environment]?.trim() || undefined;
  const historyDays = Number(env[ENVIRONMENT.historyDays] ?? '30');
  if (!Number.isInteger(historyDays) || historyDays < 1) throw new ConfigError(ENVIRONMENT.historyDays, 'must be a whole number of days, at least 1');
  return {
    clusters,
    tableName: required(env, ENVIRONMENT.table),
    topicArn,
    historyDays,
    ...(environmentName ? { environmentName } : {}),
    ...(healthTopicArn ? { healthTopicArn } : {}),
  };
}

/** The clusters' JSON, plain or from its compressed form; one of the two must be set. */
function clustersJson(env: Readonly<Record<string, string | undefined>>): string {
  const packed = env[ENVIRONMENT.clustersGz]?.trim();
  if (!packed) return required(env, ENVIRONMENT.clusters);
  try {
    return gunzipSync(Buffer.from(packed, 'base64'), { maxOutputLength: MAX_CLUSTERS_JSON_BYTES }).toString('utf8');
  } catch {
    throw new ConfigError(ENVIRONMENT.clustersGz, 'is not base64-encoded gzip');
  }
}

/** Far beyond any environment's clusters; bounds what a hand-edited variable can make the function allocate. */
const MAX_CLUSTERS_JSON_BYTES = 4 * 1024 * 1024;

/** The region a topic lives in: the SNS client must talk to that region, which may not be the function's. */
export function topicRegion(topicArn: string): string {
  return topicArn.split(':')[3]!;
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is not set');
  return value;
}
