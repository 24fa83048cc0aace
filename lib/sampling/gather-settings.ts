/**
 * What gather is asked to do, and its defaults: the configuration callers
 * pass, checked once and resolved into the settings every vantage reads.
 */
import { LEADER_BALANCE_DEFAULTS, type LeaderBalanceThresholds } from '../domain/leader-balance.js';
import type { Endpoint, RawRequest, VantageErrorKind } from '../domain/raw-sample.js';
import type { AuthOptions, TlsOptions } from './connection-options.js';

export const GATHER_DEFAULTS = {
  /** Connections opened at once; enough for a typical 3-5 node cluster in one wave. */
  concurrency: 4,
  endpoints: ['JSZ', 'ROUTEZ', 'RAFTZ'] as readonly Endpoint[],
  /**
   * JSZ with stream and consumer detail, asked of each server once (see
   * `jszDetail`). `raft` is ignored before 2.9.15 and adds per-server leader
   * counts from 2.11.11 / 2.12.1. `config` is not asked: no check reads a
   * stream's or consumer's configuration, and with it every server marshals
   * (and the auditor inflates, parses and validates) each stream's and each
   * consumer's whole config, over a third of the detail's bytes.
   */
  jszOptions: { accounts: true, streams: true, consumer: true, raft: true } as Readonly<Record<string, unknown>>,
  /**
   * The JSZ PING every vantage sends under `jszDetail: 'flagged'` and
   * `'per-server'`: the envelope, the meta group view and (2.11.11+) leader
   * counts, about a kilobyte whatever the number of streams.
   */
  jszSummaryOptions: { raft: true } as Readonly<Record<string, unknown>>,
  jszDetail: 'flagged' as JszDetail,
  /** Which counting servers `flagged` asks for detail: the uneven_leader_distribution check's defaults. */
  leaderBalance: LEADER_BALANCE_DEFAULTS,
  /** Decompressed cap per reply: JSZ detail runs ~1.7 KB per stream with three consumers (2.9.10), so ~38k streams per server. */
  maxReplyBytes: 64 * 1024 * 1024,
  /**
   * Decompressed cap on all replies of one epoch together: judging an epoch
   * peaks at ~3x its reply bytes plus ~75 MB, so 256 MiB fits a 1 GB Lambda
   * (BENCHMARKS.md). With R3 and detail asked of each server once, ~52k
   * streams of three consumers whatever the number of servers.
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
   * answered. Default: the most meta members a JSZ reply this epoch reported
   * (`cluster_size`, or the members the meta leader lists).
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
  /**
   * Which replies are asked gzipped. `across-network`: all but the detail a
   * vantage asks of its own server reached on a loopback address, whose
   * bytes cross no network (compressing them only costs the audited server
   * CPU). `always`: every reply, e.g. to measure what an epoch sends across
   * a network.
   * @default 'across-network'
   */
  readonly acceptGzip?: AcceptGzip | undefined;
  /** @default 64 MiB */
  readonly maxReplyBytes?: number | undefined;
  /** @default 256 MiB */
  readonly maxSampleBytes?: number | undefined;
  /** @default 'nats-audit' */
  readonly connectionName?: string | undefined;
  /** Called synchronously; a throwing listener is ignored. */
  readonly onProgress?: ((event: GatherProgressEvent) => void) | undefined;
}

/** The gather configuration itself is unusable (not a server's fault). */
export class GatherConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatherConfigError';
  }
}

export type AcceptGzip = 'across-network' | 'always';
const ACCEPT_GZIP: readonly AcceptGzip[] = ['across-network', 'always'];

/** A {@link GatherConfig} checked, with every default applied. */
export interface Settings {
  readonly concurrency: number;
  readonly endpoints: readonly Endpoint[];
  /** What each endpoint's PING sends. */
  readonly bodies: Readonly<Record<Endpoint, string>>;
  /** JSZ with detail: the one-server request's body under `flagged` and `per-server`, else the PING's. */
  readonly jszDetailBody: string;
  readonly jszDetail: JszDetail;
  readonly leaderBalance: LeaderBalanceThresholds;
  readonly decodeOnArrival: boolean;
  readonly acceptGzip: AcceptGzip;
  readonly maxReplyBytes: number;
  readonly maxSampleBytes: number;
  readonly connectionName: string;
}

export function resolveSettings(config: GatherConfig): Settings {
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
  const acceptGzip = config.acceptGzip ?? 'across-network';
  if (!ACCEPT_GZIP.includes(acceptGzip)) {
    throw new GatherConfigError(`acceptGzip must be one of ${ACCEPT_GZIP.map((m) => `'${m}'`).join(', ')}, got ${String(acceptGzip)}`);
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
    acceptGzip,
    maxReplyBytes: config.maxReplyBytes ?? GATHER_DEFAULTS.maxReplyBytes,
    maxSampleBytes: config.maxSampleBytes ?? GATHER_DEFAULTS.maxSampleBytes,
    connectionName: config.connectionName ?? GATHER_DEFAULTS.connectionName,
  };
}
