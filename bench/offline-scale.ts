/**
 * Target 2: offline analysis (`check --sample`) of synthetic samples of a
 * 5-server cluster, and what the same data costs the Lambda after gathering.
 *
 * Per size, in fresh child processes (bench/offline-child.ts), so each peak
 * RSS is its own:
 * - floor: read + gunzip + JSON.parse of the very sample file (what
 *   writeSampleFile writes: gzip-compressed JSON lines, bodies as values);
 * - check: `nats-audit check --sample FILE` in-process;
 * - v1 check: the same sample saved the way samples were before (one plain
 *   JSON document, bodies as text), read by today's code, up to 10k streams;
 * - lambda: one epoch judged from the sample held in memory as gather holds
 *   it (one string per reply body), i.e. the Lambda's share after gathering.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Msg, NatsConnection } from 'nats';
import { defaultRegistry } from '../lib/checks/index.js';
import { runEpoch } from '../lib/epoch/run-epoch.js';
import { GATHER_DEFAULTS, type JszDetail } from '../lib/sampling/gather.js';
import { collectPing, type ReplyBudget } from '../lib/sampling/ping.js';
import type { RawReply, RawSample } from '../lib/domain/raw-sample.js';
import { writeSampleFile } from '../lib/sampling/sample-file.js';
import { MemoryStateStore } from '../lib/state/state-store.js';
import type { ChildResult } from './offline-child.js';
import { bytes, median } from './stats.js';
import { syntheticSample, writeV1SampleFile, type SyntheticSample } from './synthetic-sample.js';

export interface OfflineOptions {
  readonly servers: number;
  readonly consumersPerStream: number;
  /** Stream counts of the cluster (R3, so each server hosts 3/servers of them). */
  readonly sizes: readonly number[];
  /** Sizes also measured in the per-vantage shape (every vantage heard full detail). */
  readonly perVantageSizes: readonly number[];
  /** Sizes only judged as the Lambda would (no file, no `check --sample`), e.g. at the edge of the epoch budget. */
  readonly lambdaOnlySizes: readonly number[];
  /** `check --sample` is broken down step by step up to this many streams. */
  readonly phasesUpTo: number;
  /** Child runs per figure for samples up to 10k streams; larger ones run once. */
  readonly repetitions: number;
  /** Directory of the compiled bench (where offline-child.js is). */
  readonly benchDir: string;
}

export interface OfflineRow {
  readonly shape: JszDetail;
  readonly streams: number;
  readonly streamsPerServer: number;
  readonly replyBytes: number;
  readonly largestReply: number;
  readonly fileBytes: number;
  /** The same sample as a v1 file (plain JSON, bodies as text). */
  readonly v1Bytes: number;
  readonly floorMs: number;
  /** `check --sample` of the v1 file (NaN above 10k streams). */
  readonly v1CheckMs: number;
  readonly checkMs: number;
  readonly floorPeakRss: number;
  readonly floorStartRss: number;
  readonly checkPeakRss: number;
  readonly checkStartRss: number;
  /** NaN when gather would not deliver these replies (over the reply cap or the epoch budget). */
  readonly lambdaMs: number;
  readonly lambdaPeakRss: number;
  readonly lambdaStartRss: number;
  readonly lambdaNote?: string;
  /** The steps of `check --sample`, one cold child. */
  readonly phases?: Readonly<Record<string, number>>;
  readonly status: string;
  readonly error?: string;
}

export interface ReplyCapCheck {
  readonly streams: number;
  readonly streamsPerServer: number;
  readonly bodyBytes: number;
  readonly wireBytes: number;
  /** Each server's detail through collectPing with the default cap and budget. */
  readonly decodeError: string | undefined;
  /** The same five replies with the per-reply cap lifted: what the epoch budget alone does. */
  readonly budgetOutcomes: readonly string[];
  readonly status: string;
  readonly findings: readonly string[];
}

export interface OfflineResult {
  readonly rows: readonly OfflineRow[];
  readonly cap: ReplyCapCheck;
}

export async function measureOffline(opts: OfflineOptions, log: (line: string) => void): Promise<OfflineResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nats-audit-bench-offline-'));
  try {
    const rows: OfflineRow[] = [];
    const jobs = [
      ...[...opts.sizes, ...opts.lambdaOnlySizes].sort((a, b) => a - b).map((streams) => ({ streams, shape: 'per-server' as const })),
      ...opts.perVantageSizes.map((streams) => ({ streams, shape: 'per-vantage' as const })),
    ];
    let cap: ReplyCapCheck | undefined;
    const overCap = async (built: SyntheticSample, streams: number): Promise<void> => {
      if (cap !== undefined || built.largestReply <= GATHER_DEFAULTS.maxReplyBytes) return;
      log('offline: replies over the cap, through collectPing');
      cap = await checkReplyCap(built, streams);
    };
    for (const job of jobs) {
      log(`offline: ${job.shape} ${job.streams} streams`);
      const lambdaOnly = job.shape === 'per-server' && opts.lambdaOnlySizes.includes(job.streams) && !opts.sizes.includes(job.streams);
      rows.push(await measureSize(dir, job.streams, job.shape, opts, lambdaOnly, job.shape === 'per-server' ? overCap : undefined));
    }
    if (cap === undefined) {
      // 25% over what one reply may hold, on every server, at what a stream takes in these replies
      // (measured, not assumed: leaving config out of the detail made them a third smaller).
      const probeStreams = 1_000;
      const probe = syntheticSample({ servers: opts.servers, streams: probeStreams, consumersPerStream: opts.consumersPerStream, shape: 'per-server' });
      const bytesPerStream = probe.largestReply / ((probeStreams * 3) / opts.servers);
      const streams = Math.ceil((GATHER_DEFAULTS.maxReplyBytes / bytesPerStream) * 1.25 * (opts.servers / 3));
      await overCap(syntheticSample({ servers: opts.servers, streams, consumersPerStream: opts.consumersPerStream, shape: 'per-server' }), streams);
    }
    if (cap === undefined) throw new Error('offline: no sample went over the per-reply cap');
    return { rows, cap };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureSize(
  dir: string,
  streams: number,
  shape: JszDetail,
  opts: OfflineOptions,
  lambdaOnly: boolean,
  onBuilt?: (built: SyntheticSample, streams: number) => Promise<void>,
): Promise<OfflineRow> {
  const built = syntheticSample({ servers: opts.servers, streams, consumersPerStream: opts.consumersPerStream, shape });
  await onBuilt?.(built, streams);
  const file = join(dir, `sample-${shape}-${streams}.json.gz`);
  if (!lambdaOnly) await writeSampleFile(file, built.sample);
  const fileBytes = lambdaOnly ? NaN : (await stat(file)).size;
  // What gather would hand the Lambda: nothing over the per-reply cap or past the epoch budget.
  const refusedBy =
    built.largestReply > GATHER_DEFAULTS.maxReplyBytes
      ? `gather refuses: replies over the ${bytes(GATHER_DEFAULTS.maxReplyBytes)} cap`
      : built.replyBytes > GATHER_DEFAULTS.maxSampleBytes
        ? `gather refuses: past the ${bytes(GATHER_DEFAULTS.maxSampleBytes)} epoch budget`
        : undefined;
  const judgeAsLambda = refusedBy === undefined && shape === 'per-server';
  const split = join(dir, `split-${shape}-${streams}`);
  if (judgeAsLambda) await splitSample(split, built.sample);
  const v1 = join(dir, `sample-${shape}-${streams}.v1.json`);
  const measureV1 = !lambdaOnly && streams <= 10_000;
  const v1Bytes = measureV1 ? await writeV1SampleFile(v1, built.sample) : NaN;
  const base = {
    shape,
    streams,
    streamsPerServer: built.streamsPerServer,
    replyBytes: built.replyBytes,
    largestReply: built.largestReply,
    fileBytes,
    v1Bytes,
  };

  const floor: ChildResult[] = [];
  const v1Check: ChildResult[] = [];
  const check: ChildResult[] = [];
  const lambda: ChildResult[] = [];
  let phases: ChildResult | undefined;
  try {
    // Interleaved, so a burst of load from elsewhere hits both sides of a ratio.
    const repetitions = lambdaOnly ? 0 : streams <= 10_000 ? opts.repetitions : 1;
    for (let i = 0; i < repetitions; i++) {
      floor.push(await child(opts.benchDir, 'floor', file));
      check.push(await child(opts.benchDir, 'check', file));
    }
    if (measureV1) v1Check.push(await child(opts.benchDir, 'check', v1));
    if (!lambdaOnly && streams <= opts.phasesUpTo) phases = await child(opts.benchDir, 'phases', file);
    if (judgeAsLambda) lambda.push(await child(opts.benchDir, 'lambda', split, LAMBDA_NODE_FLAGS));
  } catch (error) {
    return {
      ...base,
      floorMs: NaN,
      v1CheckMs: NaN,
      checkMs: NaN,
      floorPeakRss: NaN,
      floorStartRss: NaN,
      checkPeakRss: NaN,
      checkStartRss: NaN,
      lambdaMs: NaN,
      lambdaPeakRss: NaN,
      lambdaStartRss: NaN,
      status: 'failed',
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await rm(split, { recursive: true, force: true });
    await rm(file, { force: true });
    await rm(v1, { force: true });
  }
  return {
    ...base,
    floorMs: median(floor.map((r) => r.ms)),
    v1CheckMs: median(v1Check.map((r) => r.ms)),
    checkMs: median(check.map((r) => r.ms)),
    floorPeakRss: median(floor.map((r) => r.peakRss)),
    floorStartRss: median(floor.map((r) => r.startRss)),
    checkPeakRss: median(check.map((r) => r.peakRss)),
    checkStartRss: median(check.map((r) => r.startRss)),
    lambdaMs: median(lambda.map((r) => r.ms)),
    lambdaPeakRss: median(lambda.map((r) => r.peakRss)),
    lambdaStartRss: median(lambda.map((r) => r.startRss)),
    ...(refusedBy === undefined ? {} : { lambdaNote: refusedBy }),
    ...(phases?.phases === undefined ? {} : { phases: phases.phases }),
    status: check[0]?.status ?? (lambdaOnly ? 'judged as the Lambda only' : 'n/a'),
  };
}

/** The sample's skeleton in head.json and each reply body in its own file (see offline-child.ts). */
async function splitSample(dir: string, raw: RawSample): Promise<void> {
  await mkdir(dir, { recursive: true });
  const head: RawSample = {
    ...raw,
    vantages: raw.vantages.map((v) => ({
      ...v,
      requests: v.requests.map((r) => ({ ...r, replies: r.replies.map(({ body: _body, ...rest }) => rest) })),
    })),
  };
  await writeFile(join(dir, 'head.json'), JSON.stringify(head));
  for (const [vi, v] of raw.vantages.entries()) {
    for (const [ri, r] of v.requests.entries()) {
      for (const [pi, reply] of r.replies.entries()) {
        if (reply.body !== undefined) await writeFile(join(dir, `${vi}-${ri}-${pi}.txt`), reply.body);
      }
    }
  }
}

/**
 * The heap a 1024 MB function's node gets: the Lambda Node.js runtime's
 * bootstrap passes old space = memory - memory/10 and semi space =
 * memory/20 (MB). Without them V8 lets garbage pile up far longer, and a
 * peak RSS says little about what fits.
 */
export const LAMBDA_NODE_FLAGS = ['--max-old-space-size=922', '--max-semi-space-size=51'] as const;

function child(benchDir: string, mode: string, target: string, nodeFlags: readonly string[] = []): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, join(benchDir, 'offline-child.js'), mode, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      let parsed: (ChildResult & { error?: string }) | undefined;
      try {
        parsed = JSON.parse(line) as ChildResult & { error?: string };
      } catch {
        parsed = undefined;
      }
      if (code === 0 && parsed && parsed.error === undefined) resolve(parsed);
      else reject(new Error(`offline-child ${mode} exited ${code ?? signal}: ${parsed?.error ?? line.slice(0, 300)}`));
    });
  });
}

/**
 * What gather does with replies too large to judge: the real collectPing
 * decodes each server's gzipped detail (fed through a stand-in connection)
 * with the default per-reply cap and epoch budget, and the epoch is judged
 * from the sample gather would then hold. The same replies again with the
 * per-reply cap lifted show the epoch budget refusing on its own.
 */
async function checkReplyCap(built: SyntheticSample, streams: number): Promise<ReplyCapCheck> {
  const details = built.sample.vantages.map((v) => v.requests.find((r) => r.endpoint === 'JSZ' && !r.subject.startsWith('$SYS.REQ.SERVER.PING.'))!);
  const wires = details.map((d) => gzipSync(d.replies[0]!.body!, { level: 1 }));
  const budget = (): ReplyBudget => ({ totalBytes: GATHER_DEFAULTS.maxSampleBytes, remaining: GATHER_DEFAULTS.maxSampleBytes });
  const withDefaults = budget();
  const decoded: (string | undefined)[] = [];
  for (const wire of wires) decoded.push(await collectThroughStandIn(wire, GATHER_DEFAULTS.maxReplyBytes, withDefaults));
  const capLifted = budget();
  const budgetOutcomes: string[] = [];
  for (const [i, wire] of wires.entries()) {
    const error = await collectThroughStandIn(wire, 4 * GATHER_DEFAULTS.maxReplyBytes, capLifted);
    budgetOutcomes.push(`n${i + 1}: ${error ?? `decoded (${bytes(details[i]!.replies[0]!.body!.length)})`}`);
  }
  const refused: RawSample = {
    ...built.sample,
    vantages: built.sample.vantages.map((v, vi) => ({
      ...v,
      requests: v.requests.map((r) =>
        r.subject.startsWith('$SYS.REQ.SERVER.PING.')
          ? r
          : {
              ...r,
              replies: r.replies.map(({ body: _b, ...rest }): RawReply => ({ ...rest, wireBytes: wires[vi]!.length, decodeError: decoded[vi] ?? 'n/a' })),
            },
      ),
    })),
  };
  const { report } = await runEpoch({
    sample: async () => refused,
    store: new MemoryStateStore(),
    clusterKey: 'bench',
    registry: defaultRegistry(),
    checks: { skip: new Set(), thresholds: {} },
    persistence: { epochs: 2, minMs: 0 },
  });
  return {
    streams,
    streamsPerServer: built.streamsPerServer,
    bodyBytes: details[0]!.replies[0]!.body!.length,
    wireBytes: wires[0]!.length,
    decodeError: decoded[0],
    budgetOutcomes,
    status: report.status,
    findings: report.findings.map((f) => `${f.check} (${f.severity}): ${f.summary}`),
  };
}

/** collectPing against a stand-in connection that answers once with `gzipped`. */
async function collectThroughStandIn(gzipped: Buffer, maxReplyBytes: number, budget: ReplyBudget): Promise<string | undefined> {
  let deliver: ((msg: Msg) => void) | undefined;
  const msg = {
    data: new Uint8Array(gzipped.buffer, gzipped.byteOffset, gzipped.length),
    headers: { code: 0, get: (name: string) => (name.toLowerCase() === 'content-encoding' ? 'gzip' : '') },
  } as unknown as Msg;
  const standIn = {
    subscribe: (_subject: string, opts: { callback: (err: Error | null, m: Msg) => void }) => {
      deliver = (m) => opts.callback(null, m);
      return { unsubscribe: () => undefined };
    },
    publish: () => queueMicrotask(() => deliver?.(msg)),
  } as unknown as NatsConnection;
  const request = await collectPing(standIn, 'JSZ', '{}', { expected: () => 1, deadlineMs: 10_000, maxReplyBytes, budget });
  return request.replies[0]?.decodeError;
}

/** Least-squares slope and intercept of y over x. */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

