/**
 * One epoch of gathering: connect to every configured server (each one a
 * vantage), send the system PINGs through each, and return what was heard.
 * Nothing here judges; failures become data in the sample.
 */
import { connect, ErrorCode, Events, type NatsConnection } from 'nats';
import { LEADER_BALANCE_DEFAULTS, type LeaderBalanceThresholds } from '../domain/leader-balance.js';
import { classifyConnectError, EpochAbort } from './connect-error.js';
import {
  buildConnectionOptions,
  loadConnectionSecrets,
  parseServerUrl,
  redactSecrets,
  sanitizeUrl,
  urlSecrets,
  type AuthOptions,
  type LoadedConnectionSecrets,
  type TlsOptions,
} from './connection-options.js';
import { decodeReply } from '../domain/decode-reply.js';
import { needsDetailAlways, serversNeedingDetail, summaryOf, type ServerSummary } from './detail-policy.js';
import { collectPing, pingSubject, serverSubject, type CollectPingOptions, type ReplyBudget } from './ping.js';
import { serverIdOf } from '../domain/reply-identity.js';
import { SAMPLE_TYPE, type Endpoint, type RawReply, type RawRequest, type RawSample, type RawVantage, type VantageErrorKind } from '../domain/raw-sample.js';
import { probeServer } from './server-probe.js';

export const GATHER_DEFAULTS = {
  /** Connections opened at once; enough for a typical 3-5 node cluster in one wave. */
  concurrency: 4,
  endpoints: ['JSZ', 'ROUTEZ', 'RAFTZ'] as readonly Endpoint[],
  /**
   * JSZ with stream and consumer detail, asked of each server once (see
   * `jszDetail`). `raft` is ignored before 2.9.15 and adds per-server leader
   * counts from 2.11.11 / 2.12.1.
   */
  jszOptions: { accounts: true, streams: true, consumer: true, config: true, raft: true } as Readonly<Record<string, unknown>>,
  /**
   * The JSZ PING every vantage sends under `jszDetail: 'flagged'` and
   * `'per-server'`: the envelope, the meta group view and (2.11.11+) leader
   * counts, about a kilobyte whatever the number of streams.
   */
  jszSummaryOptions: { raft: true } as Readonly<Record<string, unknown>>,
  jszDetail: 'flagged' as JszDetail,
  /** Which counting servers `flagged` asks for detail: the uneven_leader_distribution check's defaults. */
  leaderBalance: LEADER_BALANCE_DEFAULTS,
  /** Decompressed cap per reply: JSZ with config runs ~2.7 KB per stream, so ~24k streams per server. */
  maxReplyBytes: 64 * 1024 * 1024,
  /**
   * Decompressed cap on all replies of one epoch together: judging an epoch
   * peaks at ~3x its reply bytes plus ~75 MB, so 256 MiB fits a 1 GB Lambda
   * (BENCHMARKS.md). With R3 and detail asked of each server once, ~32k
   * streams whatever the number of servers.
   */
  maxSampleBytes: 256 * 1024 * 1024,
  connectionName: 'nats-audit',
} as const;

/**
 * Who is asked for JSZ stream and consumer detail.
 * - `flagged`: as `per-server` for a server that cannot count its own leaders
 *   (before 2.11.11, and 2.12.0), so 2.9 and 2.10 clusters cost what they
 *   did. A server that counts them is asked only when the summaries this
 *   vantage heard call for it (lib/sampling/detail-policy.ts): every member
 *   of a cluster where some member cannot count, else only the servers the
 *   uneven_leader_distribution rule calls hot by their counts, whose groups
 *   the step-down list needs. The check judges such clusters by the counts,
 *   so a balanced cluster of counting servers sends summaries only. Decided
 *   when the JSZ PING ends, or with a quarter of the vantage's time left if
 *   it is still running (a partition), so the detail still has time to come.
 * - `per-server`: every vantage PINGs for the summary only, and each server
 *   is asked for its detail once, on `$SYS.REQ.SERVER.<id>.JSZ`: by the
 *   vantage connected to it, or for a server no vantage landed on, by the
 *   first vantage that heard it. Building the detail costs a server a few
 *   tenths of a millisecond per stream, so asking once instead of once per
 *   vantage is what keeps an epoch near the servers' own reply time and its
 *   bytes and memory from growing with the number of URLs (BENCHMARKS.md).
 * - `per-vantage`: the PING itself asks for detail, so every server builds
 *   and sends it once per vantage (the behaviour before `per-server`).
 * A vantage whose user may not publish to a one-server subject falls back
 * to `per-vantage` for itself.
 */
export type JszDetail = 'flagged' | 'per-server' | 'per-vantage';
const JSZ_DETAIL_MODES: readonly JszDetail[] = ['flagged', 'per-server', 'per-vantage'];

/** Share of a vantage's time left when `flagged` decides on detail without waiting for the JSZ PING to end. */
const DETAIL_DECISION_RESERVE = 0.25;
/** Time a task gets to wrap up after the epoch deadline before it is recorded as timed out. */
const SETTLE_GRACE_MS = 250;
/** `close()` only destroys the socket; bound it anyway so a wedged socket cannot hold the epoch. */
const CLOSE_GRACE_MS = 500;
/** `meta_cluster` precedes `account_details` in JSZ, so its `cluster_size` is near the top. */
const CLUSTER_SIZE_SCAN_CHARS = 64 * 1024;
const CLUSTER_SIZE = /"cluster_size"\s*:\s*(\d+)/;

export type GatherProgressEvent =
  | { readonly type: 'vantage-start'; readonly url: string }
  | { readonly type: 'vantage-connected'; readonly url: string; readonly serverName?: string; readonly connectMs: number }
  | { readonly type: 'vantage-failed'; readonly url: string; readonly kind: VantageErrorKind; readonly message: string }
  | {
      readonly type: 'request-done';
      readonly url: string;
      readonly endpoint: Endpoint;
      readonly ended: RawRequest['ended'];
      readonly replies: number;
      readonly durationMs: number;
    }
  | { readonly type: 'vantage-done'; readonly url: string };

export interface GatherConfig {
  /** One vantage per URL, in this order; user info in a URL is used as auth and never stored. */
  readonly servers: readonly string[];
  readonly auth?: AuthOptions | undefined;
  readonly tls?: TlsOptions | undefined;
  /**
   * Servers every PING should hear; collection stops early once this many
   * answered. Default: the largest JSZ `cluster_size` seen this epoch.
   * Without either (no JetStream cluster), every PING runs to its deadline.
   */
  readonly expectServers?: number | undefined;
  /** Bound on the whole gather, connecting included. */
  readonly timeoutMs: number;
  /** @default 4 */
  readonly concurrency?: number | undefined;
  /** @default ['JSZ', 'ROUTEZ', 'RAFTZ'] */
  readonly endpoints?: readonly Endpoint[] | undefined;
  /** Body of the JSZ detail request, merged over {@link GATHER_DEFAULTS.jszOptions}. */
  readonly jszOptions?: Readonly<Record<string, unknown>> | undefined;
  /**
   * `rebalance` needs every group and asks for `per-server`.
   * @default 'flagged'
   */
  readonly jszDetail?: JszDetail | undefined;
  /**
   * The uneven_leader_distribution thresholds (`ratio`, `min_excess`) the
   * check runs with: under `flagged`, the servers they call hot are the
   * counting servers asked for detail.
   * @default {@link LEADER_BALANCE_DEFAULTS}, the check's defaults
   */
  readonly leaderBalance?: LeaderBalanceThresholds | undefined;
  /**
   * Validate each reply as it arrives (`decodeReply`), while the others are
   * still on their way, so judging the sample afterwards finds the work
   * done. Off for a sample that is only saved (`nats-audit gather`).
   * @default true
   */
  readonly decodeOnArrival?: boolean | undefined;
  /** @default 64 MiB */
  readonly maxReplyBytes?: number | undefined;
  /** @default 256 MiB */
  readonly maxSampleBytes?: number | undefined;
  /** @default 'nats-audit' */
  readonly connectionName?: string | undefined;
  /** Called synchronously; a throwing listener is ignored. */
  readonly onProgress?: ((event: GatherProgressEvent) => void) | undefined;
}

export interface GatherDeps {
  /** Wall clock (epoch ms) for timestamps; durations always use the monotonic clock. */
  readonly now?: () => number;
}

/** The gather configuration itself is unusable (not a server's fault). */
export class GatherConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatherConfigError';
  }
}

/**
 * Gathers one sample. Rejects only for configuration errors
 * ({@link GatherConfigError}, `ConnectionOptionsError`) before any
 * connection is made; everything that goes wrong on the wire is in the result.
 */
export async function gather(config: GatherConfig, deps: GatherDeps = {}): Promise<RawSample> {
  const now = deps.now ?? Date.now;
  const settings = resolveSettings(config);
  const secrets = await loadConnectionSecrets(config.auth, config.tls);
  const allSecrets = [...secrets.secrets, ...urlSecrets(config.servers)];
  for (const url of config.servers) parseServerUrl(url);

  const startedAt = now();
  const t0 = performance.now();
  const epochDeadline = t0 + config.timeoutMs;
  const epoch = new AbortController();
  const epochTimer = setTimeout(() => epoch.abort(new Error('epoch deadline')), config.timeoutMs);
  const expected = new ExpectedServers(config.expectServers);
  const detailClaims = new Set<string>();
  const n = config.servers.length;
  // Later waves get the same share as the first, so a slow first wave cannot starve them.
  const share = config.timeoutMs / Math.max(1, Math.ceil(n / settings.concurrency));
  const results: (RawVantage | undefined)[] = new Array<RawVantage | undefined>(n);

  const ctx: VantageContext = {
    secrets,
    allSecrets,
    settings,
    expected,
    budget: { totalBytes: settings.maxSampleBytes, remaining: settings.maxSampleBytes },
    claimDetail: (serverId) => {
      if (detailClaims.has(serverId)) return false;
      detailClaims.add(serverId);
      return true;
    },
    epoch: epoch.signal,
    now,
    emit: (event) => {
      try {
        config.onProgress?.(event);
      } catch {
        // Progress is cosmetic; it must not break the sample.
      }
    },
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (!epoch.signal.aborted) {
      const i = next++;
      const url = config.servers[i];
      if (url === undefined) return;
      const deadline = Math.min(epochDeadline, performance.now() + share);
      results[i] = await sampleVantage(url, deadline, ctx);
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(settings.concurrency, n) }, worker));
  let finished = false;
  void all.then(() => (finished = true));
  await Promise.race([all, whenAborted(epoch.signal)]);
  if (!finished) await Promise.race([all, delay(SETTLE_GRACE_MS)]);
  clearTimeout(epochTimer);

  const vantages = config.servers.map(
    (url, i) =>
      results[i] ??
      failedVantage(sanitizeUrl(url), {
        kind: 'timeout',
        message: `${sanitizeUrl(url)}: not finished before the ${config.timeoutMs} ms gather deadline`,
      }),
  );
  return {
    type: SAMPLE_TYPE,
    startedAt,
    durationMs: performance.now() - t0,
    ...(config.expectServers === undefined ? {} : { expectServers: config.expectServers }),
    vantages,
  };
}

interface Settings {
  readonly concurrency: number;
  readonly endpoints: readonly Endpoint[];
  /** What each endpoint's PING sends. */
  readonly bodies: Readonly<Record<Endpoint, string>>;
  /** JSZ with detail: the one-server request's body under `flagged` and `per-server`, else the PING's. */
  readonly jszDetailBody: string;
  readonly jszDetail: JszDetail;
  readonly leaderBalance: LeaderBalanceThresholds;
  readonly decodeOnArrival: boolean;
  readonly maxReplyBytes: number;
  readonly maxSampleBytes: number;
  readonly connectionName: string;
}

interface VantageContext {
  readonly secrets: LoadedConnectionSecrets;
  readonly allSecrets: readonly string[];
  readonly settings: Settings;
  readonly expected: ExpectedServers;
  readonly budget: ReplyBudget;
  /** True for the first caller per server id this epoch: that vantage asks the server for its JSZ detail. */
  readonly claimDetail: (serverId: string) => boolean;
  readonly epoch: AbortSignal;
  readonly now: () => number;
  readonly emit: (event: GatherProgressEvent) => void;
}

function resolveSettings(config: GatherConfig): Settings {
  const positiveInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new GatherConfigError(`${name} must be a positive integer, got ${v}`);
    }
  };
  if (!Number.isFinite(config.timeoutMs) || config.timeoutMs <= 0) {
    throw new GatherConfigError(`timeoutMs must be a positive number, got ${config.timeoutMs}`);
  }
  positiveInt('concurrency', config.concurrency);
  positiveInt('expectServers', config.expectServers);
  positiveInt('maxReplyBytes', config.maxReplyBytes);
  positiveInt('maxSampleBytes', config.maxSampleBytes);
  if (config.servers.length === 0) throw new GatherConfigError('no servers to gather from');
  const endpoints = config.endpoints ?? GATHER_DEFAULTS.endpoints;
  if (endpoints.length === 0) throw new GatherConfigError('no endpoints to request');
  const jszDetail = config.jszDetail ?? GATHER_DEFAULTS.jszDetail;
  if (!JSZ_DETAIL_MODES.includes(jszDetail)) {
    throw new GatherConfigError(`jszDetail must be one of ${JSZ_DETAIL_MODES.map((m) => `'${m}'`).join(', ')}, got ${String(jszDetail)}`);
  }
  const leaderBalance = config.leaderBalance ?? GATHER_DEFAULTS.leaderBalance;
  if (!(leaderBalance.ratio >= 1) || !Number.isFinite(leaderBalance.ratio)) {
    throw new GatherConfigError(`leaderBalance.ratio must be a number of at least 1, got ${leaderBalance.ratio}`);
  }
  if (!(leaderBalance.minExcess >= 0) || !Number.isFinite(leaderBalance.minExcess)) {
    throw new GatherConfigError(`leaderBalance.minExcess must be a number of at least 0, got ${leaderBalance.minExcess}`);
  }
  const jszDetailBody = JSON.stringify({ ...GATHER_DEFAULTS.jszOptions, ...config.jszOptions });
  return {
    concurrency: config.concurrency ?? GATHER_DEFAULTS.concurrency,
    endpoints: [...new Set(endpoints)],
    bodies: {
      JSZ: jszDetail === 'per-vantage' ? jszDetailBody : JSON.stringify(GATHER_DEFAULTS.jszSummaryOptions),
      ROUTEZ: '{}',
      RAFTZ: '{}',
    },
    jszDetailBody,
    jszDetail,
    leaderBalance,
    decodeOnArrival: config.decodeOnArrival ?? true,
    maxReplyBytes: config.maxReplyBytes ?? GATHER_DEFAULTS.maxReplyBytes,
    maxSampleBytes: config.maxSampleBytes ?? GATHER_DEFAULTS.maxSampleBytes,
    connectionName: config.connectionName ?? GATHER_DEFAULTS.connectionName,
  };
}

async function sampleVantage(rawUrl: string, deadline: number, ctx: VantageContext): Promise<RawVantage> {
  const parsed = parseServerUrl(rawUrl);
  // As configured (minus user info), so callers can match vantages to their own list.
  const url = sanitizeUrl(rawUrl);
  const remaining = (): number => Math.max(1, deadline - performance.now());
  const fail = (kind: VantageErrorKind, detail: string): RawVantage => {
    const message = redactSecrets(`${url}: ${detail}`, ctx.allSecrets);
    ctx.emit({ type: 'vantage-failed', url, kind, message });
    return failedVantage(url, { kind, message });
  };
  ctx.emit({ type: 'vantage-start', url });

  const probe = await probeServer(parsed.hostname, parsed.port, remaining());
  if (!probe.ok) return fail(probe.reason, probe.detail);
  const hasClientCert = ctx.secrets.tls?.cert !== undefined;
  if (probe.info.tlsVerify && !hasClientCert) {
    // Without this the server's refusal races the TLS 1.3 handshake and
    // surfaces as a reset half the time.
    return fail('tls', 'the server requires a client certificate (verify: true); give --tls-cert and --tls-key');
  }

  const connectStart = performance.now();
  let nc: NatsConnection;
  try {
    const options = buildConnectionOptions(rawUrl, ctx.secrets, {
      name: ctx.settings.connectionName,
      timeoutMs: remaining(),
    });
    nc = await raceAbort(connect(options), ctx.epoch, (late) => void closeQuietly(late));
  } catch (err) {
    const { kind, detail } = classifyConnectError(err);
    if (kind === 'unreachable' && probe.info.tlsRequired) {
      // The probe just reached this server, so a reset now is the TLS handshake being refused.
      return fail('tls', `the server closed the connection during TLS; it may have refused our client certificate (${detail})`);
    }
    return fail(kind, detail);
  }
  const connectMs = performance.now() - connectStart;
  const serverName = nc.info?.server_name;
  const serverId = nc.info?.server_id;
  const serverVersion = nc.info?.version;
  ctx.emit({ type: 'vantage-connected', url, connectMs, ...(serverName === undefined ? {} : { serverName }) });

  try {
    const requests = await requestAll(nc, url, { id: serverId, version: serverVersion }, deadline, ctx);
    ctx.emit({ type: 'vantage-done', url });
    return {
      url,
      connected: true,
      connectMs,
      ...(serverName === undefined ? {} : { serverName }),
      ...(serverId === undefined ? {} : { serverId }),
      requests,
    };
  } finally {
    await closeQuietly(nc);
  }
}

/**
 * All endpoints in parallel on one connection: each gets the vantage's whole
 * remaining time, so a partition (every PING running to its deadline) costs
 * one deadline per vantage rather than one per endpoint. Under
 * `jszDetail: 'per-server'` this vantage also asks its own server, and any
 * server it hears that nobody asked yet, for JSZ detail; under `flagged`
 * the same for servers that cannot count their leaders, and then those the
 * summaries it heard call for. Those requests follow the PINGs in the result.
 */
async function requestAll(
  nc: NatsConnection,
  url: string,
  own: { readonly id: string | undefined; readonly version: string | undefined },
  deadline: number,
  ctx: VantageContext,
): Promise<RawRequest[]> {
  const { settings } = ctx;
  const running = new Map<string, Set<AbortController>>();
  const abortAll = (reason: string): void => running.forEach((set) => set.forEach((c) => c.abort(new Error(reason))));
  void nc.closed().then((err) => abortAll(`connection closed${err ? `: ${err.message}` : ''}`));
  void watchPermissionErrors(nc, (operation, subject) => {
    const reason = `permissions violation: ${operation} to "${subject}"`;
    const targets = running.get(subject);
    // A denied SUB is on our inbox, which every request shares the prefix of.
    if (operation === 'subscription' || targets === undefined) abortAll(reason);
    else targets.forEach((c) => c.abort(new Error(reason)));
  });

  const start = (
    endpoint: Endpoint,
    body: string,
    options: Pick<CollectPingOptions, 'subject' | 'expected' | 'onExpectedChange' | 'onReply'>,
  ): Promise<RawRequest> => {
    const subject = options.subject ?? pingSubject(endpoint);
    const controller = new AbortController();
    const set = running.get(subject) ?? new Set<AbortController>();
    running.set(subject, set.add(controller));
    const onReply = (reply: RawReply): void => {
      // Requests this reply calls for go out first; decoding can wait for them.
      options.onReply?.(reply);
      if (settings.decodeOnArrival) decodeReply(endpoint, reply);
    };
    return collectPing(nc, endpoint, body, {
      ...options,
      onReply,
      deadlineMs: Math.max(1, deadline - performance.now()),
      maxReplyBytes: settings.maxReplyBytes,
      budget: ctx.budget,
      now: ctx.now,
      signal: controller.signal,
    }).then((request) => {
      set.delete(controller);
      ctx.emit({
        type: 'request-done',
        url,
        endpoint,
        ended: request.ended,
        replies: request.replies.length,
        durationMs: request.durationMs,
      });
      return request.error === undefined ? request : { ...request, error: redactSecrets(request.error, ctx.allSecrets) };
    });
  };

  const detailPerServer = settings.jszDetail === 'per-server' && settings.endpoints.includes('JSZ');
  const detailFlagged = settings.jszDetail === 'flagged' && settings.endpoints.includes('JSZ');
  const requests: Promise<RawRequest | undefined>[] = [];
  const offerJsz = (reply: RawReply): void => ctx.expected.offerJszBody(reply.body);
  const pingForDetail = (): Promise<RawRequest> =>
    start('JSZ', settings.jszDetailBody, { expected: ctx.expected.get, onExpectedChange: ctx.expected.subscribe, onReply: offerJsz });
  let fellBack = false;
  const askForDetail = (serverId: string): void => {
    if (!ctx.claimDetail(serverId)) return;
    const direct = start('JSZ', settings.jszDetailBody, { subject: serverSubject('JSZ', serverId), expected: () => 1, onReply: offerJsz });
    requests.push(
      direct.then((request) => {
        if (!(request.ended === 'error' && /permissions? violation/i.test(request.error ?? ''))) return request;
        // A user allowed to publish only to PING subjects: ask for detail the
        // way every vantage did before, once for this vantage.
        if (fellBack) return undefined;
        fellBack = true;
        return pingForDetail();
      }),
    );
  };

  // `flagged`: the summaries heard, and the one decision on the counting servers among them.
  const summaries: ServerSummary[] = [];
  let decided = false;
  let decisionTimer: NodeJS.Timeout | undefined;
  const decide = (): void => {
    if (decided) return;
    decided = true;
    clearTimeout(decisionTimer);
    for (const id of serversNeedingDetail(summaries, settings.leaderBalance)) askForDetail(id);
  };
  const onSummary = (reply: RawReply): void => {
    const summary = summaryOf(reply);
    if (summary === undefined) return;
    summaries.push(summary);
    if (needsDetailAlways(summary.version)) askForDetail(summary.id);
  };

  for (const endpoint of settings.endpoints) {
    const onReply =
      endpoint !== 'JSZ'
        ? undefined
        : (reply: RawReply): void => {
            offerJsz(reply);
            if (reply.body === undefined) return;
            if (detailFlagged) return onSummary(reply);
            const id = detailPerServer ? serverIdOf(reply.body) : undefined;
            if (id !== undefined) askForDetail(id);
          };
    const ping = start(endpoint, settings.bodies[endpoint], {
      expected: ctx.expected.get,
      onExpectedChange: ctx.expected.subscribe,
      ...(onReply === undefined ? {} : { onReply }),
    });
    // The decision runs before the PING's entry resolves, so the detail
    // requests it adds are in `requests` before the loop below moves on.
    requests.push(
      endpoint === 'JSZ' && detailFlagged
        ? ping.then((request) => {
            decide();
            return request;
          })
        : ping,
    );
  }
  if (detailPerServer && own.id !== undefined) askForDetail(own.id);
  if (detailFlagged) {
    if (own.id !== undefined && needsDetailAlways(own.version)) askForDetail(own.id);
    const left = deadline - performance.now();
    decisionTimer = setTimeout(decide, Math.max(0, left * (1 - DETAIL_DECISION_RESERVE)));
    decisionTimer.unref();
  }

  // Detail requests are added while the PINGs run; a PING's last reply adds
  // its request before the PING itself resolves, and `flagged` decides in a
  // continuation of the JSZ PING's entry (or earlier, on its timer, while
  // that entry is still pending), so nothing is missed.
  const done: RawRequest[] = [];
  for (let i = 0; i < requests.length; i++) {
    const request = await requests[i];
    if (request !== undefined) done.push(request);
  }
  return done;
}

async function watchPermissionErrors(
  nc: NatsConnection,
  onDenied: (operation: string, subject: string) => void,
): Promise<void> {
  try {
    for await (const s of nc.status()) {
      if (s.type === Events.Error && s.data === ErrorCode.PermissionsViolation && s.permissionContext) {
        onDenied(s.permissionContext.operation, s.permissionContext.subject);
      }
    }
  } catch {
    // The status iterator ends (or throws) when the connection closes.
  }
}

/**
 * How many servers a PING should hear: `--expect-servers` when given (the
 * operator knows best, e.g. when a removed server lingers in the meta
 * group), else the largest `cluster_size` any JSZ reply this epoch reported.
 */
class ExpectedServers {
  #clusterSize: number | undefined;
  readonly #override: number | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(override: number | undefined) {
    this.#override = override;
  }

  readonly get = (): number | undefined => this.#override ?? this.#clusterSize;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  offerJszBody(body: string | undefined): void {
    const m = body === undefined ? null : CLUSTER_SIZE.exec(body.slice(0, CLUSTER_SIZE_SCAN_CHARS));
    const size = m?.[1] === undefined ? undefined : Number(m[1]);
    if (size === undefined || size < 1 || size <= (this.#clusterSize ?? 0)) return;
    this.#clusterSize = size;
    if (this.#override !== undefined) return;
    for (const listener of [...this.#listeners]) listener();
  }
}

function failedVantage(url: string, error: NonNullable<RawVantage['error']>): RawVantage {
  return { url, connected: false, error, requests: [] };
}

/** Resolves with `p`, or rejects with {@link EpochAbort}; a result arriving after the abort goes to `onLate`. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new EpochAbort());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) onLate(v);
        else resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function closeQuietly(nc: NatsConnection): Promise<void> {
  await Promise.race([nc.close().catch(() => undefined), delay(CLOSE_GRACE_MS)]);
}

function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A bounded wait that never keeps the process alive on its own. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
