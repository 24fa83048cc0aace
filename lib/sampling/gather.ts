/**
 * One epoch of gathering: connect to every configured server (each one a
 * vantage), send the system PINGs through each, and return what was heard.
 * Nothing here judges; failures become data in the sample.
 */
import { connect, ErrorCode, Events, type NatsConnection } from 'nats';
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
import { collectPing, pingSubject } from './ping.js';
import { SAMPLE_TYPE, type Endpoint, type RawReply, type RawRequest, type RawSample, type RawVantage, type VantageErrorKind } from './raw-sample.js';
import { probeServer } from './server-probe.js';

export const GATHER_DEFAULTS = {
  /** Connections opened at once; enough for a typical 3-5 node cluster in one wave. */
  concurrency: 4,
  endpoints: ['JSZ', 'ROUTEZ', 'RAFTZ'] as readonly Endpoint[],
  /** `raft` is ignored before 2.9.15 and adds per-server leader counts from 2.11.11 / 2.12.1. */
  jszOptions: { accounts: true, streams: true, consumer: true, config: true, raft: true } as Readonly<Record<string, unknown>>,
  /** Decompressed cap per reply: JSZ with config runs ~2.7 KB per stream, so ~24k streams per server. */
  maxReplyBytes: 64 * 1024 * 1024,
  connectionName: 'nats-audit',
} as const;

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
  /** Merged over {@link GATHER_DEFAULTS.jszOptions}. */
  readonly jszOptions?: Readonly<Record<string, unknown>> | undefined;
  /** @default 64 MiB */
  readonly maxReplyBytes?: number | undefined;
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
  const n = config.servers.length;
  // Later waves get the same share as the first, so a slow first wave cannot starve them.
  const share = config.timeoutMs / Math.max(1, Math.ceil(n / settings.concurrency));
  const results: (RawVantage | undefined)[] = new Array<RawVantage | undefined>(n);

  const ctx: VantageContext = {
    secrets,
    allSecrets,
    settings,
    expected,
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
  readonly bodies: Readonly<Record<Endpoint, string>>;
  readonly maxReplyBytes: number;
  readonly connectionName: string;
}

interface VantageContext {
  readonly secrets: LoadedConnectionSecrets;
  readonly allSecrets: readonly string[];
  readonly settings: Settings;
  readonly expected: ExpectedServers;
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
  if (config.servers.length === 0) throw new GatherConfigError('no servers to gather from');
  const endpoints = config.endpoints ?? GATHER_DEFAULTS.endpoints;
  if (endpoints.length === 0) throw new GatherConfigError('no endpoints to request');
  return {
    concurrency: config.concurrency ?? GATHER_DEFAULTS.concurrency,
    endpoints: [...new Set(endpoints)],
    bodies: {
      JSZ: JSON.stringify({ ...GATHER_DEFAULTS.jszOptions, ...config.jszOptions }),
      ROUTEZ: '{}',
      RAFTZ: '{}',
    },
    maxReplyBytes: config.maxReplyBytes ?? GATHER_DEFAULTS.maxReplyBytes,
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
  ctx.emit({ type: 'vantage-connected', url, connectMs, ...(serverName === undefined ? {} : { serverName }) });

  try {
    const requests = await requestAll(nc, url, remaining(), ctx);
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
 * one deadline per vantage rather than one per endpoint.
 */
async function requestAll(nc: NatsConnection, url: string, deadlineMs: number, ctx: VantageContext): Promise<RawRequest[]> {
  const controllers = new Map(ctx.settings.endpoints.map((ep) => [ep, new AbortController()] as const));
  const abortAll = (reason: string): void => controllers.forEach((c) => c.abort(new Error(reason)));
  void nc.closed().then((err) => abortAll(`connection closed${err ? `: ${err.message}` : ''}`));
  void watchPermissionErrors(nc, (operation, subject) => {
    const reason = `permissions violation: ${operation} to "${subject}"`;
    const target = ctx.settings.endpoints.find((ep) => pingSubject(ep) === subject);
    // A denied SUB is on our inbox, which every request shares the prefix of.
    if (operation === 'subscription' || target === undefined) abortAll(reason);
    else controllers.get(target)?.abort(new Error(reason));
  });

  return Promise.all(
    ctx.settings.endpoints.map(async (endpoint) => {
      const request = await collectPing(nc, endpoint, ctx.settings.bodies[endpoint], {
        expected: ctx.expected.get,
        onExpectedChange: ctx.expected.subscribe,
        deadlineMs,
        maxReplyBytes: ctx.settings.maxReplyBytes,
        now: ctx.now,
        signal: controllers.get(endpoint)?.signal,
        ...(endpoint === 'JSZ' ? { onReply: (r: RawReply) => ctx.expected.offerJszBody(r.body) } : {}),
      });
      ctx.emit({
        type: 'request-done',
        url,
        endpoint,
        ended: request.ended,
        replies: request.replies.length,
        durationMs: request.durationMs,
      });
      return request.error === undefined ? request : { ...request, error: redactSecrets(request.error, ctx.allSecrets) };
    }),
  );
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
