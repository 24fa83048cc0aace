/**
 * Target 6: what one cluster costs a month at a 1-minute epoch, all in, for
 * fleets of 1, 10 and 100 clusters per environment, against the design
 * before the watchdog (eight EMF metrics and a heartbeat alarm per cluster,
 * the state item as plain JSON) computed from the same measured epochs.
 *
 * Inputs measured here: the scheduled handler (lib/serverless/audit-handler.ts
 * with the real DynamoDbStateStore and DynamoDbRunLedger) is run against the
 * live benchmark cluster with a DynamoDB client that records every request
 * instead of sending it, a logger and metric sink that count bytes, and
 * stand-in SNS and Secrets Manager. That gives, per epoch: duration, the
 * DynamoDB requests with the exact items written (sized by DynamoDB's rules),
 * and the bytes logged. The watchdog is run the same way over 1, 10 and 100
 * clusters' run records. Prices are inputs (PRICES below).
 */
import { gunzipSync } from 'node:zlib';
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
import { createWatchdog } from '../lib/serverless/watchdog.js';
import { HISTORY_LIMIT, type AuditState } from '../lib/state/audit-state.js';
import { DynamoDbRunLedger } from '../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore, encodeState } from '../lib/state/dynamodb-state-store.js';
import { MemoryWatchdogMemory } from '../lib/state/watchdog-memory.js';
import { SORT_KEYS } from '../lib/state/dynamodb-table.js';
import { DEFAULT_LOAD_DETAIL_EVERY } from '../lib/load/detail-cadence.js';
import { median } from './stats.js';
import { openCpuQuota } from './cpu-quota.js';

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
  /** CloudWatch standard alarm, per alarm metric a month. */
  alarmMonth: 0.1,
  /** KMS customer managed key, a month. */
  kmsKeyMonth: 1.0,
  /** Secrets Manager, per secret a month, and per 10,000 API calls. */
  secretMonth: 0.4,
  secretCall: 0.05 / 1e4,
  /** DynamoDB storage, per GB-month. */
  dynamoStorageGbMonth: 0.25,
  /** CloudWatch dashboard, a month, beyond the account's first 3 (not subtracted: they may be in use). */
  dashboardMonth: 3.0,
} as const;

/** One epoch a minute for an average month (730 h). */
export const EPOCHS_PER_MONTH = 43_800;
/** The function's memory (AUDIT_FUNCTION_DEFAULTS.memorySize in lib/infra/audit-function.ts). */
export const FUNCTION_MEMORY_MB = 1024;
/** Memory sizes compared (ARM). */
export const MEMORY_SIZES_MB = [256, 512, 1024] as const;
/** Lambda gives a function one full vCPU at 1,769 MB and CPU in proportion below it. */
const FULL_VCPU_MB = 1769;
/** Secret reads a month per cluster: the reader caches for five minutes per warm container. */
const SECRET_READS_PER_MONTH = 8_760;
/** Watchdog runs a month: every minute. */
const WATCHDOG_RUNS_PER_MONTH = EPOCHS_PER_MONTH;
/** Days run records are kept (historyDays). */
const HISTORY_DAYS = 30;
/**
 * Lambda's own START, END and REPORT lines per invocation, logged to the
 * same group (~90 + ~60 + ~250 bytes; REPORT carries durations, memory and
 * the init duration on a cold start).
 */
const LAMBDA_PLATFORM_LOG_BYTES = 400;

export interface WatchdogMeasurement {
  readonly clusters: number;
  readonly durationMs: number;
  readonly cpuMs: number;
  readonly rru: number;
  readonly logBytes: number;
}

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
  /** CPU time of this process per epoch (median): what a smaller Lambda slows down. */
  readonly cpuMs: number;
  readonly logBytesPerEpoch: number;
  /** The EMF record per epoch of the design before the watchdog (eight metrics, dimension Cluster). */
  readonly legacyEmfBytes: number;
  readonly callsPerEpoch: readonly DynamoCall[];
  readonly stateItemBytes: number;
  /** The state item once its history holds HISTORY_LIMIT epoch summaries (gzip-compressed, as stored). */
  readonly steadyStateItemBytes: number;
  /** The same item stored as plain JSON, as before. */
  readonly steadyStateJsonItemBytes: number;
  readonly runItemBytes: number;
  /** The consumer counters' own item (lib/load/consumer-counters.ts), read and written every DEFAULT_LOAD_DETAIL_EVERY epochs; 0 when none was written. */
  readonly consumerCountersItemBytes: number;
  /** The watchdog over n clusters: median duration, CPU and the read units of one run. */
  readonly watchdog: readonly WatchdogMeasurement[];
  readonly notifications: number;
  readonly status: string;
  /** The same epochs run under a CPU quota of each memory size's vCPU share, or why that could not be done here. */
  readonly quota: QuotaMeasurement;
}

export interface QuotaEpochs {
  readonly memoryMb: number;
  /** The quota: memoryMb / 1769 of one CPU. */
  readonly cpus: number;
  readonly durationMs: number;
  readonly durationRuns: readonly number[];
  readonly cpuMs: number;
  /** CFS periods in which the quota held the process back: evidence it applied. */
  readonly throttledPeriods: number;
}

export type QuotaMeasurement = { readonly mechanism: string; readonly sizes: readonly QuotaEpochs[] } | { readonly unavailable: string };

/** DynamoDB item size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 significant digits + 1). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    else if (value.N !== undefined) {
      const digits = value.N.replace(/^[-+]?0*/, '').replace('.', '').replace(/0+$/, '');
      size += Math.ceil(Math.max(1, digits.length) / 2) + 1;
    } else if (value.B !== undefined) size += value.B.byteLength;
    else if (value.BOOL !== undefined || value.NULL !== undefined) size += 1;
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
      // Only the ledger's query: newest run records of one partition.
      const input = command.input;
      const pk = input.ExpressionAttributeValues![':pk']!.S!;
      const prefix = input.ExpressionAttributeValues![':prefix']!.S!;
      const found = [...this.items.values()]
        .filter((i) => i['pk']!.S === pk && i['sk']!.S!.startsWith(prefix))
        .sort((a, b) => b['sk']!.S!.localeCompare(a['sk']!.S!))
        .slice(0, input.Limit ?? Infinity);
      const bytes = found.reduce((n, i) => n + itemBytes(i), 0);
      // A query reads in 4 KB units of what it returns; eventually consistent costs half.
      const units = Math.max(1, Math.ceil(bytes / 4096)) * (input.ConsistentRead ? 1 : 0.5);
      this.calls.push({ op: 'Query', sk: 'run#', itemBytes: bytes, wru: 0, rru: units });
      return { Items: found };
    }
    throw new Error(`unexpected DynamoDB request ${String((command as object).constructor.name)}`);
  }
}

function keyOf(item: Record<string, AttributeValue>): string {
  return `${item['pk']!.S}\u0000${item['sk']!.S}`;
}

/** One cluster's audit settings as the Lambda's defaults give them; each measurement names its own cluster. */
const BENCH_CLUSTER: ClusterAuditConfig = {
  name: 'x',
  environment: 'bench',
  servers: ['nats://127.0.0.1:4222'],
  credentialsSecret: 'nats-audit/bench',
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

/** Runs `epochs` scheduled invocations of the handler against the live cluster, then the watchdog over 1, 10 and 100 clusters. */
export async function measureHandlerEpochs(cluster: LocalCluster, epochs: number): Promise<HandlerMeasurement> {
  const dynamo = new RecordingDynamoDb();
  const client = dynamo as unknown as DynamoDBClient;
  let logBytes = 0;
  let notifications = 0;
  const config: ClusterAuditConfig = { ...BENCH_CLUSTER, name: 'bench', servers: [...cluster.urls], expectServers: cluster.servers.length };
  const ledger = new DynamoDbRunLedger({ client, tableName: 'bench', retentionDays: HISTORY_DAYS });
  const handler = createAuditHandler({
    clusters: new Map([[config.name, config]]),
    registry: defaultRegistry(),
    store: new DynamoDbStateStore({ client, tableName: 'bench' }),
    ledger,
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
  });

  let callsPerEpoch: DynamoCall[] = [];
  let status = 'n/a';
  const first = Date.parse('2026-01-01T00:00:00Z');
  let next = 0;
  /** `count` scheduled invocations after one unmeasured one (the first state item, the JIT, a fresh CPU quota). */
  const runEpochs = async (count: number): Promise<{ durations: number[]; cpu: number[] }> => {
    const durations: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i <= count; i++) {
      dynamo.calls = [];
      const before = logBytes;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const outcome = await handler(
        { cluster: 'bench', scheduledTime: new Date(first + next++ * 60_000).toISOString() },
        { awsRequestId: `bench-${next}`, getRemainingTimeInMillis: () => 60_000 },
      );
      const elapsed = performance.now() - t0;
      const used = process.cpuUsage(c0);
      if (i === 0) {
        logBytes = before;
        continue;
      }
      durations.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
      callsPerEpoch = dynamo.calls;
      status = outcome.status;
    }
    return { durations, cpu };
  };
  const { durations, cpu } = await runEpochs(epochs);
  const logBytesPerEpoch = logBytes / epochs;
  const quota = await measureUnderQuota(runEpochs, epochs);

  const stateItem = dynamo.items.get(`cluster#bench\u0000state`)!;
  const state = JSON.parse(gunzipSync(stateItem['stateGz']!.B!).toString('utf8')) as AuditState;
  const last = state.history[state.history.length - 1]!;
  const full: AuditState = {
    ...state,
    revision: state.revision + HISTORY_LIMIT,
    history: Array.from({ length: HISTORY_LIMIT }, (_, k) => ({ ...last, id: last.id + k, startedAt: last.startedAt + k * 60_000 })),
  };
  const steady = { ...stateItem, stateGz: { B: encodeState(full) }, revision: { N: String(full.revision) } };
  const { stateGz: _packed, ...plain } = steady;
  const steadyJson = { ...plain, state: { S: JSON.stringify(full) } };
  const runItem = [...dynamo.items.values()].find((i) => i['sk']!.S!.startsWith('run#'))!;
  const consumerCounters = dynamo.items.get(`cluster#bench\u0000${SORT_KEYS.consumerCounters}`);

  return {
    epochs,
    durationMs: median(durations),
    durationRuns: durations,
    cpuMs: median(cpu),
    logBytesPerEpoch,
    legacyEmfBytes: legacyEmfRecordBytes(),
    callsPerEpoch,
    stateItemBytes: itemBytes(stateItem),
    steadyStateItemBytes: itemBytes(steady),
    steadyStateJsonItemBytes: itemBytes(steadyJson),
    runItemBytes: itemBytes(runItem),
    consumerCountersItemBytes: consumerCounters ? itemBytes(consumerCounters) : 0,
    watchdog: await measureWatchdog(dynamo, runItem, [1, 10, 100]),
    notifications,
    status,
    quota,
  };
}

/** The handler's epochs again with the process held to each memory size's share of a CPU (bench/cpu-quota.ts). */
async function measureUnderQuota(
  runEpochs: (count: number) => Promise<{ durations: number[]; cpu: number[] }>,
  epochs: number,
): Promise<QuotaMeasurement> {
  const opened = openCpuQuota();
  if ('unavailable' in opened) return opened;
  const sizes: QuotaEpochs[] = [];
  for (const memoryMb of MEMORY_SIZES_MB) {
    const cpus = memoryMb / FULL_VCPU_MB;
    const { result, throttledPeriods } = await opened.quota.run(cpus, () => runEpochs(epochs));
    sizes.push({ memoryMb, cpus, durationMs: median(result.durations), durationRuns: result.durations, cpuMs: median(result.cpu), throttledPeriods });
  }
  return { mechanism: opened.quota.mechanism, sizes };
}

/** The EMF record each epoch wrote before the watchdog, with typical values. */
function legacyEmfRecordBytes(): number {
  const names = ['Heartbeat', 'ServersAnswering', 'SampleLatency', 'CriticalFindings', 'WarningFindings', 'NotificationsPublished', 'EpochDuration', 'AuditFailed'];
  const units: Record<string, string> = { SampleLatency: 'Milliseconds', EpochDuration: 'Milliseconds' };
  const record: Record<string, unknown> = {
    _aws: { Timestamp: 1_767_225_600_000, CloudWatchMetrics: [{ Namespace: 'NatsAudit', Dimensions: [['Cluster']], Metrics: names.map((n) => ({ Name: n, Unit: units[n] ?? 'Count' })) }] },
    Cluster: 'payments-eu',
  };
  for (const n of names) record[n] = n.endsWith('Latency') || n === 'EpochDuration' ? 123 : 0;
  return Buffer.byteLength(JSON.stringify(record)) + 1;
}

/** The watchdog over n clusters whose latest run is the measured one: duration, CPU and the read units of a run. */
async function measureWatchdog(dynamo: RecordingDynamoDb, runItem: Record<string, AttributeValue>, sizes: readonly number[]): Promise<WatchdogMeasurement[]> {
  const out: WatchdogMeasurement[] = [];
  const recordedAt = Number(runItem['recordedAt']!.N);
  for (const n of sizes) {
    const names = Array.from({ length: n }, (_, i) => `wd-${n}-${i}`);
    for (const name of names) dynamo.items.set(`cluster#${name}\u0000${runItem['sk']!.S}`, { ...runItem, pk: { S: `cluster#${name}` } });
    const clusters = new Map(names.map((name) => [name, { ...BENCH_CLUSTER, name }]));
    let logBytes = 0;
    const watchdog = createWatchdog({
      environment: 'bench',
      clusters,
      ledger: new DynamoDbRunLedger({ client: dynamo as unknown as DynamoDBClient, tableName: 'bench' }),
      memory: new MemoryWatchdogMemory(),
      publish: async () => undefined,
      logger: jsonLogger((line) => (logBytes += Buffer.byteLength(line) + 1)),
      metrics: (line) => (logBytes += Buffer.byteLength(line) + 1),
      now: () => recordedAt + 30_000,
    });
    const durations: number[] = [];
    const cpu: number[] = [];
    let rru = 0;
    for (let i = 0; i <= 5; i++) {
      dynamo.calls = [];
      logBytes = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await watchdog({ watchdog: 'bench', scheduledTime: new Date(recordedAt).toISOString() });
      const elapsed = performance.now() - t0;
      const used = process.cpuUsage(c0);
      if (i === 0) continue;
      durations.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
      rru = dynamo.calls.reduce((sum, c) => sum + c.rru, 0);
    }
    out.push({ clusters: n, durationMs: median(durations), cpuMs: median(cpu), rru, logBytes });
  }
  return out;
}


/** The epoch measured under `memoryMb`'s CPU quota where that ran, else the model below. */
export function epochMsAt(h: HandlerMeasurement, memoryMb: number): number {
  const measured = 'sizes' in h.quota ? h.quota.sizes.find((s) => s.memoryMb === memoryMb) : undefined;
  return measured?.durationMs ?? modelledDurationMs(h.durationMs, h.cpuMs, memoryMb);
}

/**
 * Billed duration on a function of `memoryMb`: the measured wait as it was,
 * the measured CPU time stretched by Lambda's CPU share (memoryMb / 1769 of a
 * vCPU), taking this machine's core as one vCPU. A model, not a Lambda run.
 */
export function modelledDurationMs(wallMs: number, cpuMs: number, memoryMb: number): number {
  const cpuPart = Math.min(cpuMs, wallMs);
  return wallMs - cpuPart + cpuPart * Math.max(1, FULL_VCPU_MB / memoryMb);
}

export interface CostLine {
  readonly item: string;
  readonly arithmetic: string;
  readonly usd: number;
}

export type Design = 'before' | 'now';

export interface DesignOptions {
  readonly design: Design;
  readonly memoryMb: number;
  /** One secret per environment holding its clusters' credentials, instead of one per cluster. */
  readonly sharedSecret: boolean;
  /**
   * Price the epoch without the per-cluster lease (its PutItem and DeleteItem):
   * the issue's idea that the run record's conditional put might do alone.
   * Not the deployed design; priced so the report shows what the lease costs.
   */
  readonly withoutLease?: boolean;
}

/** Monthly cost of one cluster (what grows with the cluster count), each line with its arithmetic. */
export function clusterMonthlyCost(h: HandlerMeasurement, o: DesignOptions): CostLine[] {
  const n = EPOCHS_PER_MONTH;
  const gb = o.memoryMb / 1024;
  const billedMs = Math.ceil(epochMsAt(h, o.memoryMb));
  const lines: CostLine[] = [];
  lines.push({
    item: 'Lambda duration',
    arithmetic: `${n} × ${billedMs} ms × ${gb} GB × $${PRICES.lambdaGbSecond}/GB-s`,
    usd: n * (billedMs / 1000) * gb * PRICES.lambdaGbSecond,
  });
  lines.push({ item: 'Lambda requests', arithmetic: `${n} × $0.20/1M`, usd: n * PRICES.lambdaRequest });

  // Steady state: the state item read and written at its full-history size, in the design's encoding.
  const stateBytes = o.design === 'now' ? h.steadyStateItemBytes : h.steadyStateJsonItemBytes;
  const stateRru = Math.max(1, Math.ceil(stateBytes / 4096));
  const stateWru = Math.max(1, Math.ceil(stateBytes / 1024));
  let wru = 0;
  let rru = 0;
  const parts: string[] = [];
  for (const c of h.callsPerEpoch) {
    if (o.withoutLease && c.sk === 'lease') continue;
    // Counted below, averaged over the epochs between two that touch it: the last epoch measured may or may not be one.
    if (c.sk === SORT_KEYS.consumerCounters) continue;
    const isState = c.sk === 'state';
    const w = isState && c.op === 'PutItem' ? stateWru : c.wru;
    const r = isState && c.op === 'GetItem' ? stateRru : c.rru;
    wru += w;
    rru += r;
    parts.push(`${c.op} ${c.sk.startsWith('run#') ? 'run#…' : c.sk} ${w ? `${w} WRU` : `${r} RRU`}`);
  }
  if (h.consumerCountersItemBytes > 0) {
    const every = DEFAULT_LOAD_DETAIL_EVERY;
    const w = Math.ceil(h.consumerCountersItemBytes / 1024) / every;
    const r = Math.ceil(h.consumerCountersItemBytes / 4096) / every;
    wru += w;
    rru += r;
    parts.push(`PutItem consumer-counters ${w} WRU`, `GetItem consumer-counters ${r} RRU`);
  }
  lines.push({
    item: 'DynamoDB writes',
    arithmetic: `${n} × ${wru} WRU (${parts.filter((p) => p.includes('WRU')).join(', ')}; state item ${stateBytes} B) × $0.625/1M`,
    usd: n * wru * PRICES.dynamoWru,
  });
  lines.push({
    item: 'DynamoDB reads',
    arithmetic: `${n} × ${rru} RRU (${parts.filter((p) => p.includes('RRU')).join(', ')}) × $0.125/1M`,
    usd: n * rru * PRICES.dynamoRru,
  });
  const storedGb = (n * (HISTORY_DAYS / 30.4) * h.runItemBytes + stateBytes) / 1024 ** 3;
  lines.push({
    item: 'DynamoDB storage',
    arithmetic: `${HISTORY_DAYS} days of run records (${h.runItemBytes} B each) + the state item = ${storedGb.toFixed(4)} GB × $0.25/GB`,
    usd: storedGb * PRICES.dynamoStorageGbMonth,
  });
  const logLine = h.logBytesPerEpoch + (o.design === 'before' ? h.legacyEmfBytes : 0);
  const logGb = (n * (logLine + LAMBDA_PLATFORM_LOG_BYTES)) / 1024 ** 3;
  lines.push({
    item: 'CloudWatch Logs ingestion',
    arithmetic: `${n} × (${Math.round(logLine)} B handler${o.design === 'before' ? ' incl. the EMF record' : ', one line'} + ${LAMBDA_PLATFORM_LOG_BYTES} B Lambda START/END/REPORT) = ${logGb.toFixed(4)} GB × $0.50/GB`,
    usd: logGb * PRICES.logsIngestedGb,
  });
  if (o.design === 'before') {
    lines.push({ item: 'EMF custom metrics', arithmetic: `8 metrics (dimension Cluster) × $0.30/metric-month`, usd: 8 * PRICES.customMetricMonth });
    lines.push({ item: 'Heartbeat alarm', arithmetic: `1 × $0.10`, usd: PRICES.alarmMonth });
  }
  lines.push({
    item: 'EventBridge Scheduler',
    arithmetic: `${n} invocations × $1.00/1M (the account's free 14M a month not subtracted)`,
    usd: n * PRICES.schedulerInvocation,
  });
  lines.push({
    item: 'Secrets Manager',
    arithmetic: o.sharedSecret
      ? `the environment's one secret (below); ${SECRET_READS_PER_MONTH} reads × $0.05/10k`
      : `1 secret × $0.40 + ${SECRET_READS_PER_MONTH} reads × $0.05/10k`,
    usd: (o.sharedSecret ? 0 : PRICES.secretMonth) + SECRET_READS_PER_MONTH * PRICES.secretCall,
  });
  lines.push({ item: 'SNS', arithmetic: `only on transitions: ~20 publishes × $0.50/1M (first 1M/month free)`, usd: 20 * PRICES.snsPublish });
  return lines;
}

/** Monthly cost of an environment that does not grow with clusters (or grows only with the watchdog's reads), for n clusters. */
export function environmentMonthlyCost(h: HandlerMeasurement, o: DesignOptions, clusters: number): CostLine[] {
  const lines: CostLine[] = [
    { item: 'Health topic KMS key', arithmetic: '1 × $1', usd: PRICES.kmsKeyMonth },
    { item: 'Function-error and dead-letter alarms', arithmetic: '2 × $0.10', usd: 2 * PRICES.alarmMonth },
  ];
  if (o.design === 'now') {
    const wd = watchdogAt(h, clusters);
    const billedMs = Math.ceil(modelledDurationMs(wd.durationMs, wd.cpuMs, o.memoryMb));
    const gb = o.memoryMb / 1024;
    lines.push({ item: 'Watchdog metrics and alarms', arithmetic: '2 metrics × $0.30 + 2 alarms × $0.10', usd: 2 * PRICES.customMetricMonth + 2 * PRICES.alarmMonth });
    // On by default (lib/infra/fleet-dashboard.ts); its Logs Insights scans are paid per opening, not here.
    lines.push({ item: 'Fleet dashboard', arithmetic: '1 × $3 (beyond the account\'s 3 free)', usd: PRICES.dashboardMonth });
    lines.push({
      item: `Watchdog runs (${clusters} clusters)`,
      arithmetic: `${WATCHDOG_RUNS_PER_MONTH} × (${billedMs} ms × ${gb} GB Lambda + request + scheduler + ${wd.rru} RRU + ${wd.logBytes + LAMBDA_PLATFORM_LOG_BYTES} B logs)`,
      usd:
        WATCHDOG_RUNS_PER_MONTH *
        ((billedMs / 1000) * gb * PRICES.lambdaGbSecond +
          PRICES.lambdaRequest +
          PRICES.schedulerInvocation +
          wd.rru * PRICES.dynamoRru +
          ((wd.logBytes + LAMBDA_PLATFORM_LOG_BYTES) / 1024 ** 3) * PRICES.logsIngestedGb),
    });
  }
  if (o.sharedSecret) lines.push({ item: 'Shared credentials secret', arithmetic: '1 × $0.40', usd: PRICES.secretMonth });
  return lines;
}

/** The watchdog measured at the nearest size at or above n (its cost grows with the clusters it reads). */
function watchdogAt(h: HandlerMeasurement, clusters: number): WatchdogMeasurement {
  return h.watchdog.find((w) => w.clusters >= clusters) ?? h.watchdog[h.watchdog.length - 1]!;
}

export function sum(lines: readonly CostLine[]): number {
  return lines.reduce((s, l) => s + l.usd, 0);
}

/** All-in cost per cluster-month with n clusters in one environment. */
export function perClusterAllIn(h: HandlerMeasurement, o: DesignOptions, clusters: number): number {
  return sum(clusterMonthlyCost(h, o)) + sum(environmentMonthlyCost(h, o, clusters)) / clusters;
}
