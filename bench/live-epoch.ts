/**
 * Target 1: epoch latency on a real 3-node cluster with replicated streams.
 *
 * Two things alternate, several times, on one settled cluster:
 * - baseline: a bare `$SYS.REQ.SERVER.PING.JSZ` (same body and gzip header
 *   as gather sends) on a fresh connection, collected until every server
 *   answered; the servers' own reply time. Its connect is timed apart.
 * - full: `runEpoch` exactly as `nats-audit check` runs it (gather from
 *   every vantage, validate, every check, FileStateStore load and save),
 *   once in the default detail mode (`jszDetail: 'flagged'`, which on
 *   2.9.10 asks each server for its detail once) and once of every server
 *   through every vantage (`'per-vantage'`, the behaviour before). Its connection setup
 *   (TCP probe + CONNECT, until the last vantage connected, from gather's
 *   progress events) is timed apart.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createInbox, headers, type NatsConnection } from 'nats';
import { defaultRegistry } from '../lib/checks/index.js';
import { runEpoch } from '../lib/epoch/run-epoch.js';
import { createReplicatedStreams, startLocalCluster, type LocalCluster } from '../lib/local-cluster/index.js';
import { observe } from '../lib/observation/observe.js';
import { GATHER_DEFAULTS, gather, type AcceptGzip, type GatherProgressEvent } from '../lib/sampling/gather.js';
import type { RawSample } from '../lib/domain/raw-sample.js';
import { FileStateStore } from '../lib/state/file-state-store.js';
import { median, timed } from './stats.js';

export interface LiveClusterOptions {
  readonly servers: number;
  readonly streams: number;
  readonly consumersPerStream: number;
}

export interface LiveEpochOptions {
  /** Rounds of (baseline, full flagged, baseline, full per-vantage) measured after one warm-up round. */
  readonly repetitions: number;
  readonly timeoutMs: number;
}

/**
 * The detail modes measured: the default, and the behaviour before it. On
 * 2.9.10 (no leader counts) `flagged` sends what `per-server` sends.
 */
export type LiveMode = 'flagged' | 'per-vantage';

export interface FullEpochStats {
  readonly mode: LiveMode;
  /** Medians over the repetitions. */
  readonly totalMs: number;
  readonly setupMs: number;
  /** Full epoch minus its connection setup: what is compared with the baseline. */
  readonly afterSetupMs: number;
  readonly gatherMs: number;
  /**
   * observe() alone on a copy of the last sample, median of a few runs: a
   * copy, because gather validated the sample's own replies as they arrived
   * (decodeReply) and observe() would find that work done.
   */
  readonly observeMs: number;
  /** Per repetition, (full minus setup) / the baseline measured just before it. */
  readonly pairRatios: readonly number[];
  readonly afterSetupRuns: readonly number[];
  /** The last epoch's sample (gzip asked for every reply, as across a network), for the bytes section. */
  readonly lastSample: RawSample;
}

export interface LiveEpochResult {
  readonly setupMs: number;
  readonly repetitions: number;
  /** Medians over every baseline run. */
  readonly baselineMs: number;
  readonly baselineConnectMs: number;
  readonly baselineRuns: readonly number[];
  readonly jszReplyWireBytes: number;
  readonly full: Readonly<Record<LiveMode, FullEpochStats>>;
  /** Bytes of the state file after the last epoch. */
  readonly stateFileBytes: number;
}

/** Starts a cluster with `streams` R3 streams of `consumersPerStream` consumers; dispose() it afterwards. */
export async function startBenchCluster(opts: LiveClusterOptions): Promise<{ cluster: LocalCluster; streams: string[]; setupMs: number }> {
  const t0 = performance.now();
  const cluster = await startLocalCluster({ size: opts.servers });
  try {
    await cluster.waitForMetaLeader();
    const app = await cluster.connect({ as: 'app', name: 'nats-audit-bench' });
    let streams: string[];
    try {
      streams = await createReplicatedStreams(app, { count: opts.streams, replicas: 3, consumersPerStream: opts.consumersPerStream, prefix: 'BENCH' });
    } finally {
      await app.close();
    }
    return { cluster, streams, setupMs: performance.now() - t0 };
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
}

/**
 * One bare PING.JSZ: connect (timed apart), publish, collect until `expected`
 * replies. The body is gather's detail request unless given (the summary's,
 * for the counts-only path).
 */
export async function bareJszPing(
  url: string,
  credentials: { user: string; password: string },
  expected: number,
  timeoutMs: number,
  body: Readonly<Record<string, unknown>> = GATHER_DEFAULTS.jszOptions,
): Promise<{ connectMs: number; pingMs: number; replies: number; wireBytes: number }> {
  const c0 = performance.now();
  const nc = await connect({ servers: url, user: credentials.user, pass: credentials.password, name: 'nats-audit-bench-baseline' });
  const connectMs = performance.now() - c0;
  try {
    const result = await collectBare(nc, expected, timeoutMs, body);
    return { connectMs, ...result };
  } finally {
    await nc.close();
  }
}

function collectBare(nc: NatsConnection, expected: number, timeoutMs: number, body: Readonly<Record<string, unknown>>): Promise<{ pingMs: number; replies: number; wireBytes: number }> {
  return new Promise((resolve, reject) => {
    const inbox = createInbox();
    let replies = 0;
    let wireBytes = 0;
    const t0 = performance.now();
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`baseline PING.JSZ heard ${replies} of ${expected} servers within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = nc.subscribe(inbox, {
      callback: (_err, msg) => {
        replies++;
        wireBytes += msg.data.length;
        if (replies >= expected) {
          const pingMs = performance.now() - t0;
          clearTimeout(timer);
          sub.unsubscribe();
          resolve({ pingMs, replies, wireBytes });
        }
      },
    });
    const h = headers();
    h.set('Accept-Encoding', 'gzip');
    nc.publish('$SYS.REQ.SERVER.PING.JSZ', new TextEncoder().encode(JSON.stringify(body)), { reply: inbox, headers: h });
  });
}

export interface FullEpochOptions {
  readonly urls: readonly string[];
  readonly auth: { readonly user: string; readonly password: string };
  readonly store: FileStateStore;
  readonly registry: ReturnType<typeof defaultRegistry>;
  readonly mode: LiveMode;
  readonly timeoutMs: number;
  readonly acceptGzip?: AcceptGzip;
}

/**
 * One epoch exactly as `nats-audit check` runs it; its connection setup
 * (until the last vantage connected, from gather's progress events) timed apart.
 */
export async function fullEpoch(opts: FullEpochOptions): Promise<{ totalMs: number; setupMs: number; gatherMs: number; sample: RawSample }> {
  const { urls, auth, store, registry, mode } = opts;
  let connected = 0;
  let gatherMs = 0;
  let sample: RawSample | undefined;
  const onProgress = (e: GatherProgressEvent): void => {
    if (e.type === 'vantage-connected') connected = Math.max(connected, performance.now());
  };
  const t0 = performance.now();
  const { report } = await runEpoch({
    sample: async () => {
      const g = await timed(() => gather({ servers: [...urls], auth, timeoutMs: opts.timeoutMs, jszDetail: mode, onProgress, acceptGzip: opts.acceptGzip }));
      gatherMs = g.ms;
      sample = g.value;
      return g.value;
    },
    store,
    clusterKey: `bench-${mode}`,
    registry,
    checks: { skip: new Set(), thresholds: {} },
    persistence: { epochs: 2, minMs: 0 },
  });
  const totalMs = performance.now() - t0;
  if (report.servers.length !== urls.length) throw new Error(`full epoch (${mode}) heard ${report.servers.length} of ${urls.length} servers`);
  return { totalMs, setupMs: connected - t0, gatherMs, sample: sample! };
}

/** Alternates the baseline and full epochs of both detail modes on `cluster`; returns medians and the raw runs. */
export async function measureLiveEpoch(cluster: LocalCluster, setupMs: number, opts: LiveEpochOptions): Promise<LiveEpochResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nats-audit-bench-'));
  try {
    const statePath = join(dir, 'state.json');
    const store = new FileStateStore(statePath);
    const registry = defaultRegistry();
    const urls = cluster.urls;
    const n = urls.length;
    const auth = { user: cluster.system.user, password: cluster.system.password };
    const modes: readonly LiveMode[] = ['flagged', 'per-vantage'];

    // Gzip asked for every reply, as across a network and as the baseline asks: on loopback
    // a vantage's own server would send its detail uncompressed, sparing the servers the
    // work the baseline makes them do (section 7 times the CLI as it runs on loopback).
    const full = (mode: LiveMode) => fullEpoch({ urls, auth, store, registry, mode, timeoutMs: opts.timeoutMs, acceptGzip: 'always' });
    const baseline = (i: number) => bareJszPing(urls[i % n]!, auth, n, opts.timeoutMs);

    // Warm-up round: the JIT, the first state items, the servers' first JSZ after creation.
    await baseline(0);
    for (const mode of modes) await full(mode);

    const baselineRuns: number[] = [];
    const baselineConnect: number[] = [];
    let jszReplyWireBytes = 0;
    const runs = new Map(modes.map((m) => [m, { total: [] as number[], setup: [] as number[], after: [] as number[], gather: [] as number[], ratios: [] as number[], sample: undefined as RawSample | undefined }]));
    for (let i = 0; i < opts.repetitions; i++) {
      for (const mode of modes) {
        const b = await baseline(i);
        baselineRuns.push(b.pingMs);
        baselineConnect.push(b.connectMs);
        jszReplyWireBytes = b.wireBytes;
        const f = await full(mode);
        const r = runs.get(mode)!;
        r.total.push(f.totalMs);
        r.setup.push(f.setupMs);
        r.after.push(f.totalMs - f.setupMs);
        r.gather.push(f.gatherMs);
        r.ratios.push((f.totalMs - f.setupMs) / b.pingMs);
        r.sample = f.sample;
      }
    }

    const stats = {} as Record<LiveMode, FullEpochStats>;
    for (const mode of modes) {
      const r = runs.get(mode)!;
      const sample = r.sample!;
      const observeRuns: number[] = [];
      for (let i = 0; i < 5; i++) {
        const copy = structuredClone(sample);
        observeRuns.push((await timed(() => observe(copy))).ms);
      }
      stats[mode] = {
        mode,
        totalMs: median(r.total),
        setupMs: median(r.setup),
        afterSetupMs: median(r.after),
        gatherMs: median(r.gather),
        observeMs: median(observeRuns),
        pairRatios: r.ratios,
        afterSetupRuns: r.after,
        lastSample: sample,
      };
    }
    return {
      setupMs,
      repetitions: opts.repetitions,
      baselineMs: median(baselineRuns),
      baselineConnectMs: median(baselineConnect),
      baselineRuns,
      jszReplyWireBytes,
      full: stats,
      stateFileBytes: (await stat(statePath)).size,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
