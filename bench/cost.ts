/**
 * Target 6: what one cluster costs a month at a 1-minute epoch.
 *
 * Inputs measured here: the scheduled handler (lib/serverless/audit-handler.ts
 * with the real DynamoDbStateStore and DynamoDbRunLedger) is run against the
 * live benchmark cluster with a DynamoDB client that records every request
 * instead of sending it, a logger and metric sink that count bytes, and
 * stand-in SNS and Secrets Manager. That gives, per epoch: duration, the
 * DynamoDB requests with the exact items written (sized by DynamoDB's rules),
 * and the bytes logged. Prices are inputs (PRICES below).
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { defaultRegistry } from '../lib/checks/index.js';
import type { ClusterAuditConfig } from '../lib/fleet/fleet-config.js';
import type { LocalCluster } from '../lib/local-cluster/index.js';
import { createAuditHandler } from '../lib/serverless/audit-handler.js';
import { jsonLogger } from '../lib/serverless/log.js';
import { AUDIT_METRICS } from '../lib/serverless/metrics.js';
import { HISTORY_LIMIT, type AuditState } from '../lib/state/audit-state.js';
import { DynamoDbRunLedger } from '../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore } from '../lib/state/dynamodb-state-store.js';
import { median } from './stats.js';

/** us-east-1 list prices as of 2026; change them here. */
export const PRICES = {
  /** Lambda arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** Lambda, per request. */
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on-demand, per write request unit (1 KB). */
  dynamoWru: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent). */
  dynamoRru: 0.125 / 1e6,
  /** EventBridge Scheduler invocations, per invocation after the free 14 million a month (per account). */
  schedulerInvocation: 1.0 / 1e6,
  schedulerFreePerMonth: 14_000_000,
  /** CloudWatch Logs ingestion (standard), per GB. */
  logsIngestedGb: 0.5,
  /** CloudWatch custom metric, per metric a month (first 10,000 metrics). */
  customMetricMonth: 0.3,
  /** SNS standard topic publish, per request (first million a month free). */
  snsPublish: 0.5 / 1e6,
} as const;

/** One epoch a minute for an average month (730 h). */
export const EPOCHS_PER_MONTH = 43_800;
/** The function's memory (AUDIT_FUNCTION_DEFAULTS.memorySize in lib/infra/audit-function.ts). */
export const FUNCTION_MEMORY_MB = 1024;
/**
 * Lambda's own START, END and REPORT lines per invocation, logged to the
 * same group (~90 + ~60 + ~250 bytes; REPORT carries durations, memory and
 * the init duration on a cold start).
 */
const LAMBDA_PLATFORM_LOG_BYTES = 400;

export interface DynamoCall {
  readonly op: 'GetItem' | 'PutItem' | 'DeleteItem' | 'Query';
  readonly sk: string;
  readonly itemBytes: number;
  readonly wru: number;
  readonly rru: number;
}

export interface HandlerMeasurement {
  readonly epochs: number;
  readonly durationMs: number;
  readonly durationRuns: readonly number[];
  readonly logBytesPerEpoch: number;
  readonly metricsPerEpoch: number;
  readonly callsPerEpoch: readonly DynamoCall[];
  readonly stateItemBytes: number;
  /** The state item once its history holds HISTORY_LIMIT epoch summaries. */
  readonly steadyStateItemBytes: number;
  readonly notifications: number;
  readonly status: string;
}

/** DynamoDB item size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 significant digits + 1). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    else if (value.N !== undefined) {
      const digits = value.N.replace(/^[-+]?0*/, '').replace('.', '').replace(/0+$/, '');
      size += Math.ceil(Math.max(1, digits.length) / 2) + 1;
    } else if (value.BOOL !== undefined || value.NULL !== undefined) size += 1;
    else size += Buffer.byteLength(JSON.stringify(value));
  }
  return size;
}

/** A DynamoDB stand-in that keeps items in memory and records the capacity each request consumes. */
class RecordingDynamoDb {
  readonly items = new Map<string, Record<string, AttributeValue>>();
  calls: DynamoCall[] = [];

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetItemCommand) {
      const item = this.items.get(keyOf(command.input.Key!));
      const bytes = item ? itemBytes(item) : 0;
      // A strongly consistent read: 1 unit per 4 KB of the whole item (projections do not lower it), 1 for a missing item.
      this.calls.push({ op: 'GetItem', sk: command.input.Key!['sk']!.S!, itemBytes: bytes, wru: 0, rru: Math.max(1, Math.ceil(bytes / 4096)) });
      return { Item: item };
    }
    if (command instanceof PutItemCommand) {
      const item = command.input.Item!;
      const key = keyOf(item);
      const old = this.items.get(key);
      const bytes = itemBytes(item);
      // A write is charged on the larger of the item before and after.
      this.calls.push({ op: 'PutItem', sk: item['sk']!.S!, itemBytes: bytes, wru: Math.max(1, Math.ceil(Math.max(bytes, old ? itemBytes(old) : 0) / 1024)), rru: 0 });
      this.items.set(key, item);
      return {};
    }
    if (command instanceof DeleteItemCommand) {
      const key = keyOf(command.input.Key!);
      const old = this.items.get(key);
      this.calls.push({ op: 'DeleteItem', sk: command.input.Key!['sk']!.S!, itemBytes: old ? itemBytes(old) : 0, wru: Math.max(1, Math.ceil((old ? itemBytes(old) : 0) / 1024)), rru: 0 });
      this.items.delete(key);
      return {};
    }
    if (command instanceof QueryCommand) {
      this.calls.push({ op: 'Query', sk: '', itemBytes: 0, wru: 0, rru: 1 });
      return { Items: [] };
    }
    throw new Error(`unexpected DynamoDB request ${String((command as object).constructor.name)}`);
  }
}

function keyOf(item: Record<string, AttributeValue>): string {
  return `${item['pk']!.S}\u0000${item['sk']!.S}`;
}

/** Runs `epochs` scheduled invocations of the handler against the live cluster. */
export async function measureHandlerEpochs(cluster: LocalCluster, epochs: number): Promise<HandlerMeasurement> {
  const dynamo = new RecordingDynamoDb();
  const client = dynamo as unknown as DynamoDBClient;
  let logBytes = 0;
  let metricLines = 0;
  let notifications = 0;
  const config: ClusterAuditConfig = {
    name: 'bench',
    environment: 'bench',
    servers: [...cluster.urls],
    credentialsSecret: 'nats-audit/bench',
    expectServers: cluster.servers.length,
    schedule: 'rate(1 minute)',
    timeoutMs: 5_000,
    confirmDelayMs: 3_000,
    persistence: { epochs: 2, minSeconds: 0 },
    thresholds: {},
    skip: [],
    reminderMinutes: 0,
    notifyMinSeverity: 'warning',
    autoRebalance: { enabled: false, maxMovesPerEpoch: 1 },
  };
  const handler = createAuditHandler({
    clusters: new Map([[config.name, config]]),
    registry: defaultRegistry(),
    store: new DynamoDbStateStore({ client, tableName: 'bench' }),
    ledger: new DynamoDbRunLedger({ client, tableName: 'bench', retentionDays: 30 }),
    notifier: {
      publish: async (list) => {
        notifications += list.length;
      },
    },
    secrets: {
      read: async () => ({ auth: { user: cluster.system.user, password: cluster.system.password }, tls: {}, accounts: new Map() }),
      forget: () => undefined,
    },
    logger: jsonLogger((line) => (logBytes += Buffer.byteLength(line) + 1)),
    metrics: (line) => {
      logBytes += Buffer.byteLength(line) + 1;
      metricLines++;
    },
  });

  const durations: number[] = [];
  let callsPerEpoch: DynamoCall[] = [];
  let status = 'n/a';
  const first = Date.parse('2026-01-01T00:00:00Z');
  // One unmeasured epoch first: the first state item, the JIT.
  for (let i = 0; i <= epochs; i++) {
    dynamo.calls = [];
    const before = logBytes;
    const t0 = performance.now();
    const outcome = await handler(
      { cluster: 'bench', scheduledTime: new Date(first + i * 60_000).toISOString() },
      { awsRequestId: `bench-${i}`, getRemainingTimeInMillis: () => 60_000 },
    );
    if (i === 0) {
      logBytes = before;
      continue;
    }
    durations.push(performance.now() - t0);
    callsPerEpoch = dynamo.calls;
    status = outcome.status;
  }
  const logBytesPerEpoch = logBytes / epochs;

  const stateItem = dynamo.items.get(`cluster#bench\u0000state`)!;
  const state = JSON.parse(stateItem['state']!.S!) as AuditState;
  const last = state.history[state.history.length - 1]!;
  const full: AuditState = {
    ...state,
    history: Array.from({ length: HISTORY_LIMIT }, (_, k) => ({ ...last, id: last.id + k, startedAt: last.startedAt + k * 60_000 })),
  };
  const steady = { ...stateItem, state: { S: JSON.stringify(full) }, revision: { N: String(full.revision + HISTORY_LIMIT) } };
  return {
    epochs,
    durationMs: median(durations),
    durationRuns: durations,
    logBytesPerEpoch,
    metricsPerEpoch: metricLines / (epochs + 1),
    callsPerEpoch,
    stateItemBytes: itemBytes(stateItem),
    steadyStateItemBytes: itemBytes(steady),
    notifications,
    status,
  };
}

export interface CostLine {
  readonly item: string;
  readonly arithmetic: string;
  readonly usd: number;
}

export interface CostInputs {
  /** Billed duration of one invocation (ms). */
  readonly durationMs: number;
  readonly memoryMb: number;
  readonly calls: readonly DynamoCall[];
  /** The state item with a full history, for its steady-state read and write units. */
  readonly steadyStateItemBytes: number;
  readonly logBytesPerEpoch: number;
  /** Metric names emitted per cluster on a normal epoch. */
  readonly metricNames: number;
  /** Finding transitions a month that reach SNS (each one publish). */
  readonly transitionsPerMonth: number;
}

/** Monthly cost of one cluster, each line with its arithmetic. */
export function monthlyCost(input: CostInputs): CostLine[] {
  const n = EPOCHS_PER_MONTH;
  const gb = input.memoryMb / 1024;
  const billedMs = Math.ceil(input.durationMs); // Lambda bills per 1 ms
  const lines: CostLine[] = [];
  lines.push({
    item: 'Lambda duration',
    arithmetic: `${n} × ${billedMs} ms × ${gb} GB × $${PRICES.lambdaGbSecond}/GB-s`,
    usd: n * (billedMs / 1000) * gb * PRICES.lambdaGbSecond,
  });
  lines.push({ item: 'Lambda requests', arithmetic: `${n} × $0.20/1M`, usd: n * PRICES.lambdaRequest });

  // Steady state: the state item read and written at its full-history size.
  const stateRru = Math.max(1, Math.ceil(input.steadyStateItemBytes / 4096));
  const stateWru = Math.max(1, Math.ceil(input.steadyStateItemBytes / 1024));
  let wru = 0;
  let rru = 0;
  const parts: string[] = [];
  for (const c of input.calls) {
    const isState = c.sk === 'state';
    const w = isState && c.op === 'PutItem' ? stateWru : c.wru;
    const r = isState && c.op === 'GetItem' ? stateRru : c.rru;
    wru += w;
    rru += r;
    parts.push(`${c.op} ${c.sk.startsWith('run#') ? 'run#…' : c.sk} ${w ? `${w} WRU` : `${r} RRU`}`);
  }
  lines.push({
    item: 'DynamoDB writes',
    arithmetic: `${n} × ${wru} WRU (${parts.filter((p) => p.includes('WRU')).join(', ')}) × $0.625/1M`,
    usd: n * wru * PRICES.dynamoWru,
  });
  lines.push({
    item: 'DynamoDB reads',
    arithmetic: `${n} × ${rru} RRU (${parts.filter((p) => p.includes('RRU')).join(', ')}) × $0.125/1M`,
    usd: n * rru * PRICES.dynamoRru,
  });
  const logGb = (n * (input.logBytesPerEpoch + LAMBDA_PLATFORM_LOG_BYTES)) / 1024 ** 3;
  lines.push({
    item: 'CloudWatch Logs ingestion',
    arithmetic: `${n} × (${Math.round(input.logBytesPerEpoch)} B handler + ${LAMBDA_PLATFORM_LOG_BYTES} B Lambda START/END/REPORT) = ${logGb.toFixed(4)} GB × $0.50/GB`,
    usd: logGb * PRICES.logsIngestedGb,
  });
  lines.push({
    item: 'EMF custom metrics',
    arithmetic: `${input.metricNames} metrics (dimension Cluster) × $0.30/metric-month`,
    usd: input.metricNames * PRICES.customMetricMonth,
  });
  lines.push({
    item: 'EventBridge Scheduler',
    arithmetic: `${n} invocations: free within the account's 14M/month (${Math.floor(PRICES.schedulerFreePerMonth / n)} clusters); beyond, ${n} × $1.00/1M`,
    usd: 0,
  });
  lines.push({
    item: 'SNS',
    arithmetic: `only on transitions: ${input.transitionsPerMonth} publishes × $0.50/1M (first 1M/month free)`,
    usd: input.transitionsPerMonth * PRICES.snsPublish,
  });
  return lines;
}

/** Metric names a normal epoch emits (LeadersMoved only with automatic rebalancing). */
export function normalMetricNames(): number {
  return Object.keys(AUDIT_METRICS).filter((m) => m !== 'LeadersMoved').length;
}
