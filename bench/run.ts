/**
 * `npm run bench [-- --quick] [-- --only live,counts,startup,offline,bundle,planner,load] [-- --out FILE]`
 *
 * The live sections start a real cluster from the nats-server the harness
 * finds (NATS_SERVER_BIN, else the system's); `counts` measures the
 * counts-only gather path on it when its servers count their own leaders
 * (read from their replies) and shares the cluster with `live` when both run.
 *
 * Runs every section in turn (the live cluster is disposed before the
 * offline sections start, so its idle Raft traffic does not skew them) and
 * prints one markdown report: the targets table, then each section's
 * numbers. Every target is a ratio of two things measured side by side in
 * this run, so the report holds on a slower or busier machine too.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GATHER_DEFAULTS } from '../lib/sampling/gather.js';
import { AUDIT_NODE_OPTIONS } from '../lib/infra/audit-bundle.js';
import { measureBundle, type BundleResult } from './bundle.js';
import { recordedPaths, tallySample, type LiveBytes, type RecordedPath } from './bytes.js';
import {
  clusterMonthlyCost,
  environmentMonthlyCost,
  EPOCHS_PER_MONTH,
  FUNCTION_MEMORY_MB,
  measureHandlerEpochs,
  MEMORY_SIZES_MB,
  modelledDurationMs,
  perClusterAllIn,
  sum,
  type DesignOptions,
  type HandlerMeasurement,
} from './cost.js';
import { measureCountsOnly, serversCountLeaders, versionsOf, type CountsOnlyResult } from './counts-only.js';
import { measureLiveEpoch, startBenchCluster, type LiveEpochResult } from './live-epoch.js';
import { linearFit, measureOffline, type OfflineResult } from './offline-scale.js';
import { measurePlanner, type PlannerRow } from './planner.js';
import { measureLoad, type LoadResult } from './load.js';
import { DEFAULT_LOAD_DETAIL_EVERY } from '../lib/load/detail-cadence.js';
import { measureStartup, type StartupRow } from './startup.js';
import { syntheticSample } from './synthetic-sample.js';
import { bytes, machine, median, ms, ratio, usd } from './stats.js';

const SECTIONS = ['live', 'counts', 'startup', 'offline', 'bundle', 'planner', 'load'] as const;
type Section = (typeof SECTIONS)[number];

const MIB = 1024 * 1024;
/** Lambda memory the scheduled auditor gets (lib/infra/audit-function.ts). */
const LAMBDA_MB = FUNCTION_MEMORY_MB;

function settings(quick: boolean) {
  return {
    live: { servers: 3, streams: quick ? 100 : 300, consumersPerStream: 3, repetitions: quick ? 3 : 7, timeoutMs: 10_000, handlerEpochs: quick ? 3 : 5 },
    offline: {
      servers: 5,
      consumersPerStream: 3,
      // 50k: over the per-reply cap on 5 servers (so gather would refuse it, but check --sample can be asked to read it).
      sizes: quick ? [1_000, 5_000, 10_000] : [1_000, 10_000, 50_000],
      perVantageSizes: quick ? [1_000] : [1_000],
      // Just under the epoch budget (GATHER_DEFAULTS.maxSampleBytes): the largest epoch a Lambda is handed.
      lambdaOnlySizes: quick ? [] : [32_000],
      phasesUpTo: 10_000,
      repetitions: quick ? 1 : 3,
    },
    bundle: { repetitions: quick ? 3 : 7 },
    planner: { servers: 5, sizes: quick ? [5_000, 20_000] : [5_000, 20_000, 50_000, 100_000], repetitions: quick ? 1 : 3 },
    load: { servers: 5, sizes: [10_000, 20_000], repetitions: quick ? 1 : 3, streams: quick ? 100 : 300, consumersPerStream: 3 },
  };
}

interface Results {
  live?: LiveEpochResult;
  liveBytes?: Record<string, LiveBytes>;
  handler?: HandlerMeasurement;
  recorded?: RecordedPath[];
  offline?: OfflineResult;
  bundle?: BundleResult;
  planner?: PlannerRow[];
  startup?: StartupRow[];
  load?: LoadResult;
  counts?: CountsOnlyResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: false,
  });
  const quick = values.quick ?? false;
  const only = new Set((values.only?.split(',') ?? SECTIONS).map((s) => s.trim()) as Section[]);
  for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s} (${SECTIONS.join(', ')})`);
  const cfg = settings(quick);
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const results: Results = {};
  const sectionMs: Record<string, number> = {};
  const section = async (name: Section | 'live+counts', body: () => Promise<void>): Promise<void> => {
    if (name === 'live+counts' ? !only.has('live') && !only.has('counts') : !only.has(name)) return;
    const t0 = performance.now();
    await body();
    sectionMs[name] = performance.now() - t0;
  };

  // One cluster serves both live sections; `counts` runs last on it because it moves leaders.
  await section('live+counts', async () => {
    log(`live: starting ${cfg.live.servers} servers, ${cfg.live.streams} R3 streams x ${cfg.live.consumersPerStream} consumers`);
    const { cluster, streams, setupMs } = await startBenchCluster(cfg.live);
    try {
      log(`live: cluster ready in ${ms(setupMs)}; ${cfg.live.repetitions} rounds of baseline / full epochs`);
      results.live = await measureLiveEpoch(cluster, setupMs, cfg.live);
      results.liveBytes = Object.fromEntries(Object.entries(results.live.full).map(([mode, f]) => [mode, tallySample(f.lastSample)]));
      if (only.has('live')) {
        log(`live: ${cfg.live.handlerEpochs} scheduled-handler epochs for the cost model`);
        results.handler = await measureHandlerEpochs(cluster, cfg.live.handlerEpochs);
        // On the live cluster while it is up; `--only startup` starts its own below.
        results.startup = await measureStartup(cluster, cfg.live.repetitions, log);
      }
      if (only.has('counts')) results.counts = await measureCountsOnly(cluster, streams, cfg.live, log);
    } finally {
      log('live: disposing of the cluster');
      const t0 = performance.now();
      await cluster.dispose();
      sectionMs['dispose'] = performance.now() - t0;
    }
    results.recorded = recordedPaths({ servers: cfg.live.servers, vantages: cfg.live.servers, streams: cfg.live.streams, consumersPerStream: cfg.live.consumersPerStream });
  });
  await section('startup', async () => {
    // Measured with the live section when that runs: one cluster for both.
    if (only.has('live')) return;
    log(`startup: starting ${cfg.live.servers} servers, ${cfg.live.streams} R3 streams x ${cfg.live.consumersPerStream} consumers`);
    const { cluster } = await startBenchCluster(cfg.live);
    try {
      results.startup = await measureStartup(cluster, cfg.live.repetitions, log);
    } finally {
      await cluster.dispose();
    }
  });
  await section('offline', async () => {
    results.offline = await measureOffline({ ...cfg.offline, benchDir: dirname(fileURLToPath(import.meta.url)) }, log);
  });
  await section('bundle', async () => {
    log('bundle: esbuild as the CDK asset is built, then cold starts');
    results.bundle = await measureBundle(cfg.bundle);
  });
  await section('planner', async () => {
    results.planner = measurePlanner(cfg.planner, log);
  });
  await section('load', async () => {
    results.load = measureLoad(cfg.load, log);
  });

  const report = render(results, {
    command: `npm run bench${quick ? ' -- --quick' : ''}${values.only ? ` -- --only ${values.only}` : ''}`,
    totalMs: performance.now() - started,
    loadBefore,
    loadAfter: loadavg()[0]!,
    quick,
    cfg,
    sectionMs,
  });
  process.stdout.write(report);
  if (values.out) await writeFile(values.out, report);
}

interface RenderContext {
  readonly command: string;
  readonly totalMs: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly quick: boolean;
  readonly cfg: ReturnType<typeof settings>;
  readonly sectionMs: Readonly<Record<string, number>>;
}

const pass = (ok: boolean): string => (ok ? 'pass' : '**miss**');

function render(r: Results, ctx: RenderContext): string {
  const m = machine();
  const out: string[] = [];
  const sections = Object.entries(ctx.sectionMs).map(([name, t]) => `${name} ${(t / 1000).toFixed(0)} s`).join(', ');
  out.push(`Command: \`${ctx.command}\` (${(ctx.totalMs / 60_000).toFixed(1)} min: ${sections})  `);
  out.push(`Machine: ${m.cores} cores (nproc), ${m.cpu}, Node.js ${m.node}, ${m.date}; 1-min load average ${ctx.loadBefore.toFixed(1)} at start, ${ctx.loadAfter.toFixed(1)} at end  `);
  out.push('');
  out.push('| # | target | measured | limit | result |');
  out.push('| --- | --- | --- | --- | --- |');
  const rows: string[] = [];
  const live = r.live;
  if (live) {
    const ps = live.full.flagged;
    const pv = live.full['per-vantage'];
    const psRatio = median(ps.pairRatios);
    rows.push(
      `| 1 | live epoch, ${ctx.cfg.live.streams} R3 streams × 3 consumers, 3 servers: full check after connection setup ÷ bare PING.JSZ | ${ratio(psRatio)} (${ms(ps.afterSetupMs)} vs ${ms(live.baselineMs)}; before this change ${ratio(median(pv.pairRatios))}) | ≤ 1.30× | ${pass(psRatio <= 1.3)} |`,
    );
    rows.push(`| 1 | live epoch incl. connection setup ÷ a fixed 2 s collection window | ${ratio(ps.totalMs / 2000)} (${ms(ps.totalMs)}) | < 1× | ${pass(ps.totalMs < 2000)} |`);
  }
  const off = r.offline;
  if (off) {
    for (const row of off.rows.filter((x) => x.shape === 'per-server' && Number.isFinite(x.checkMs))) {
      const t = row.checkMs / row.floorMs;
      const memNet = (row.checkPeakRss - row.checkStartRss) / row.replyBytes;
      rows.push(`| 2 | \`check --sample\`, ${k(row.streams)} streams: time ÷ (read + gunzip + JSON.parse of the file) | ${ratio(t)} (${ms(row.checkMs)} vs ${ms(row.floorMs)}) | ≤ 2× | ${pass(t <= 2)} |`);
      rows.push(
        `| 2 | \`check --sample\`, ${k(row.streams)} streams: peak RSS above start ÷ reply bytes (the floor alone: read + gunzip + JSON.parse) | ${ratio(memNet)} (${bytes(row.checkPeakRss - row.checkStartRss)} for ${bytes(row.replyBytes)}; floor ${ratio((row.floorPeakRss - row.floorStartRss) / row.replyBytes)}) | ≤ 3× | ${pass(memNet <= 3)} |`,
      );
    }
    const lin = linearity(off);
    if (lin) {
      rows.push(
        `| 2 | time linear in streams: r² of a straight line through the totals (marginal ms per 1k streams between sizes) | ${lin.r2.toFixed(3)} (${lin.marginals.map((x) => ms(x)).join(', ')}) | ≥ 0.98 | ${pass(lin.r2 >= 0.98)} |`,
      );
    }
    const judged = off.rows.filter((x) => x.shape === 'per-server' && Number.isFinite(x.lambdaPeakRss)).pop();
    if (judged) {
      const m = (judged.lambdaPeakRss - judged.lambdaStartRss) / judged.replyBytes;
      rows.push(
        `| 2 | Lambda judging under a 1 GB function's heap, ${k(judged.streams)} streams: peak RSS above start ÷ reply bytes | ${ratio(m)} (${bytes(judged.lambdaPeakRss)} peak for ${bytes(judged.replyBytes)}) | ≤ 3× | ${pass(m <= 3)} |`,
      );
    }
    const limit = lambdaLimit(off);
    if (limit) {
      rows.push(
        `| 2 | 1 GB Lambda (5 servers, R3): streams where judging reaches ${LAMBDA_MB} MB RSS, vs where gather starts refusing (epoch budget) | ${k(limit.oomStreams)} vs ${k(limit.budgetStreams)} | refuse first | ${pass(limit.budgetStreams < limit.oomStreams)} |`,
      );
    }
  }
  if (r.liveBytes) {
    const t = r.liveBytes['flagged']!.total;
    rows.push(`| 3 | bytes per epoch, gzip: decompressed ÷ wire (all replies of one epoch) | ${ratio(t.body / t.wire)} (${bytes(t.wire)} for ${bytes(t.body)}) | ≥ 10× | ${pass(t.body / t.wire >= 10)} |`);
  }
  const b = r.bundle;
  if (b) {
    rows.push(`| 4 | Lambda bundle, minified | ${bytes(b.bytes)} | < 1 MiB | ${pass(b.bytes < MIB)} |`);
    const limit = 1.5 * b.emptyInitMs + 150;
    rows.push(`| 4 | cold start, import + init ÷ (1.5 × empty handler + 150 ms) | ${ms(b.auditInitMs)} vs ${ms(limit)} (empty ${ms(b.emptyInitMs)}) | ≤ 1× | ${pass(b.auditInitMs <= limit)} |`);
  }
  const p = r.planner;
  if (p) {
    const at20k = p.filter((x) => x.groups === 20_000);
    const worst = Math.max(...at20k.map((x) => x.ms));
    if (at20k.length) rows.push(`| 5 | planRebalance, 20k groups on 5 servers (worst placement) | ${ms(worst)} | < 1 s | ${pass(worst < 1000)} |`);
  }
  if (r.handler) {
    const now = perClusterAllIn(r.handler, CHOSEN, 100);
    const before = perClusterAllIn(r.handler, BEFORE, 100);
    rows.push(
      `| 6 | monthly AWS cost per cluster, 1-minute epoch, all in, 100 clusters in one environment (${CHOSEN.memoryMb} MB, ${CHOSEN.sharedSecret ? 'shared' : 'per-cluster'} secret) | ${usd(now)} (before: ${usd(before)}) | ≤ $0.50 | ${pass(now <= 0.5)} |`,
    );
  }
  for (const row of r.startup ?? []) {
    const x = median(row.ratios);
    rows.push(
      `| 7 | whole-process \`nats-audit check\` ÷ a bare script (connect, PING.JSZ with detail, parse), ${ctx.cfg.live.streams} R3 streams × 3 consumers, ${row.node} ${row.version} | ${ratio(x)} (${ms(row.checkMs)} vs ${ms(row.bareMs)}; no code cache ${ratio(median(row.noCacheRatios))}, unbundled ${ratio(median(row.unbundledRatios))}) | ≤ 1.5× | ${pass(x <= 1.5)} |`,
    );
  }
  out.push(...rows, '');

  if (live) out.push(...renderLive(live, r, ctx));
  if (off) out.push(...renderOffline(off));
  if (r.liveBytes || r.recorded) out.push(...renderBytes(r, ctx));
  if (b) out.push(...renderBundle(b));
  if (p) out.push(...renderPlanner(p));
  if (r.handler) out.push(...renderCost(r.handler));
  if (r.startup) out.push(...renderStartup(r.startup, ctx));
  if (r.load) out.push(...renderLoad(r.load, ctx));
  if (r.counts) out.push(...renderCounts(r.counts, ctx));
  return `${out.join('\n')}\n`;
}

function k(n: number): string {
  return n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n);
}

function renderLive(live: LiveEpochResult, r: Results, ctx: RenderContext): string[] {
  const out = ['### 1. Live epoch', ''];
  const sample = live.full.flagged.lastSample;
  const flagged = serversCountLeaders(sample)
    ? `these servers count their own leaders, so detail only from a server their counts make hot: ${r.liveBytes?.['flagged']?.jszDetail.replies ?? 0} detail replies in the last epoch`
    : "these servers do not count their own leaders, so each server's detail once";
  out.push(
    `3 servers (nats-server ${versionsOf(sample).join(', ')}, routes through the harness's proxies), ${ctx.cfg.live.streams} R3 streams × 3 consumers (${ctx.cfg.live.streams * 4} Raft groups), set up in ${ms(live.setupMs)}. ${live.repetitions} rounds after a warm-up, each round baseline → full (flagged, the default: ${flagged}) → baseline → full (per-vantage); medians. Both ask gzip for every reply, as across a network (the full epoch with \`acceptGzip: 'always'\`; by default a vantage's own server on loopback sends its detail uncompressed).`,
    '',
  );
  out.push('| | total | connection setup | after setup | gather (validating replies as they arrive) | observe() alone, on an unvalidated copy | after setup ÷ baseline (per round) |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  out.push(`| baseline: bare PING.JSZ until 3 replies | ${ms(live.baselineMs + live.baselineConnectMs)} | ${ms(live.baselineConnectMs)} | ${ms(live.baselineMs)} | | | |`);
  for (const f of Object.values(live.full)) {
    out.push(
      `| full check, JSZ detail ${f.mode} | ${ms(f.totalMs)} | ${ms(f.setupMs)} | ${ms(f.afterSetupMs)} | ${ms(f.gatherMs)} | ${ms(f.observeMs)} | ${ratio(median(f.pairRatios))} (${f.pairRatios.map((x) => x.toFixed(2)).join(', ')}) |`,
    );
  }
  out.push('', `Against a fixed 2 s collection window: ${ms(live.full.flagged.totalMs)} ÷ 2000 ms = ${ratio(live.full.flagged.totalMs / 2000)}. State file after the epochs: ${bytes(live.stateFileBytes)}.`, '');
  return out;
}

/** Marginal cost per 1k streams between consecutive sizes of `check --sample` (per-server shape). */
function linearity(off: OfflineResult): { marginals: number[]; spread: number; r2: number } | undefined {
  const ps = off.rows.filter((x) => x.shape === 'per-server' && Number.isFinite(x.checkMs));
  if (ps.length < 3) return undefined;
  const marginals = ps.slice(1).map((x, i) => (x.checkMs - ps[i]!.checkMs) / ((x.streams - ps[i]!.streams) / 1000));
  const fit = linearFit(ps.map((x) => ({ x: x.streams, y: x.checkMs })));
  return { marginals, spread: Math.max(...marginals) / Math.min(...marginals), r2: fit.r2 };
}

/**
 * Where judging one epoch reaches the Lambda's memory (a line through the
 * Lambda-mode peaks), and where gather starts refusing: the epoch budget, or
 * for 5 servers the per-reply cap, whichever comes first.
 */
function lambdaLimit(off: OfflineResult): { oomStreams: number; budgetStreams: number; capStreams: number; bytesPerStream: number } | undefined {
  const rows = off.rows.filter((x) => x.shape === 'per-server' && Number.isFinite(x.lambdaPeakRss));
  if (rows.length < 2) return undefined;
  const fit = linearFit(rows.map((x) => ({ x: x.streams, y: x.lambdaPeakRss })));
  const oomStreams = (LAMBDA_MB * MIB - fit.intercept) / fit.slope;
  const last = rows[rows.length - 1]!;
  const bytesPerStream = last.largestReply / last.streamsPerServer;
  const servers = 5;
  const capStreams = ((GATHER_DEFAULTS.maxReplyBytes / bytesPerStream) * servers) / 3;
  const budgetStreams = Math.min(capStreams, GATHER_DEFAULTS.maxSampleBytes / (3 * bytesPerStream));
  return { oomStreams, budgetStreams, capStreams, bytesPerStream };
}

function renderOffline(off: OfflineResult): string[] {
  const out = ['### 2. Offline analysis and memory', ''];
  // Each stream is held by 3 of the servers, so its detail is in 3 replies.
  const first = off.rows.find((x) => x.shape === 'per-server');
  const perStream = first === undefined ? 'n/a' : `~${bytes(first.replyBytes / (first.streams * 3))}`;
  out.push(
    `Synthetic samples of 5 servers, R3 streams × 3 consumers, bodies cut from the recorded 2.9.10 replies as gather asks for them now (${perStream} per stream replica with its consumers, summaries included). ` +
    '"per-server" is what gather saves now (a summary per server per vantage, each server\'s detail once); "per-vantage" is every vantage holding every server\'s detail (gather before this change, and older saved samples). The file is what `writeSampleFile` writes (v2: gzip-compressed JSON lines, each body stored as JSON); the floor reads it, gunzips it and JSON.parses each of its lines. "v1 file" is the same sample saved the old way (one plain JSON document, every body as text), read by today\'s code (up to 10k streams). Every figure is a fresh child process (medians of 3 up to 10k streams, single runs above); "start" is the child\'s RSS after its imports. "Lambda judging" rebuilds the sample in memory as gather holds it and judges one epoch under the heap flags a 1024 MB Lambda gives node (old space 922 MB, semi space 51 MB).',
    '',
  );
  out.push('| shape | streams (per server) | reply bytes | file (v2, gzip) | read + gunzip + parse | check --sample | ÷ floor | peak RSS (start) | above start ÷ reply bytes | v1 file: size, check --sample | Lambda judging: time, peak RSS |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const x of off.rows) {
    const lambda = x.lambdaNote ?? (Number.isFinite(x.lambdaMs) ? `${ms(x.lambdaMs)}, ${bytes(x.lambdaPeakRss)}` : 'n/a');
    out.push(
      `| ${x.shape} | ${k(x.streams)} (${k(x.streamsPerServer)}) | ${bytes(x.replyBytes)} | ${bytes(x.fileBytes)} | ${ms(x.floorMs)} | ${x.error ? `failed: ${x.error}` : ms(x.checkMs)} | ${ratio(x.checkMs / x.floorMs)} | ${bytes(x.checkPeakRss)} (${bytes(x.checkStartRss)}) | ${ratio((x.checkPeakRss - x.checkStartRss) / x.replyBytes)} | ${Number.isFinite(x.v1CheckMs) ? `${bytes(x.v1Bytes)}, ${ms(x.v1CheckMs)}` : 'n/a'} | ${lambda} |`,
    );
  }
  const withPhases = off.rows.filter((x) => x.phases);
  if (withPhases.length) {
    const names = Object.keys(withPhases[0]!.phases!);
    out.push('', 'Where `check --sample` spends its time, step by step in one cold child (ms):', '');
    out.push(`| shape | streams | ${names.join(' | ')} |`, `| --- | --- | ${names.map(() => '---').join(' | ')} |`);
    for (const x of withPhases) out.push(`| ${x.shape} | ${k(x.streams)} | ${names.map((n) => (x.phases![n] ?? NaN).toFixed(0)).join(' | ')} |`);
  }
  const lin = linearity(off);
  if (lin) out.push('', `Marginal time per 1k more streams (per-server): ${lin.marginals.map((x) => ms(x)).join(', ')}; a straight line through the totals has r² ${lin.r2.toFixed(3)}.`);
  const limit = lambdaLimit(off);
  if (limit) {
    out.push(
      `A line through the Lambda-judging peaks reaches ${LAMBDA_MB} MB at ~${k(limit.oomStreams)} streams. Gather refuses before that: the epoch budget of ${bytes(GATHER_DEFAULTS.maxSampleBytes)} (GATHER_DEFAULTS.maxSampleBytes) is reached at ~${k(GATHER_DEFAULTS.maxSampleBytes / (3 * limit.bytesPerStream))} R3 streams whatever the number of servers, and on 5 servers one reply reaches the ${bytes(GATHER_DEFAULTS.maxReplyBytes)} per-reply cap at ~${k(limit.capStreams)}.`,
    );
  }
  const c = off.cap;
  out.push(
    '',
    `Beyond the limits, through the real collectPing (${k(c.streams)} streams, ${k(c.streamsPerServer)} per server: each server's JSZ is ${bytes(c.bodyBytes)}, ${bytes(c.wireBytes)} gzipped): every detail reply becomes \`${c.decodeError ?? 'none'}\`; with the per-reply cap lifted, the epoch budget alone gives ${c.budgetOutcomes.join('; ')}. The epoch then reads **${c.status}**:`,
    '',
    ...c.findings.slice(0, 6).map((f) => `- ${f}`),
    '',
  );
  return out;
}

function renderBytes(r: Results, ctx: RenderContext): string[] {
  const out = ['### 3. Bytes per epoch', ''];
  if (r.liveBytes) {
    const live = r.live!.full.flagged.lastSample;
    out.push(`Live (nats-server ${versionsOf(live).join(', ')}, ${ctx.cfg.live.streams} streams, 3 servers × 3 vantages), the last full epoch of each mode (gzip asked for every reply, \`acceptGzip: 'always'\`, as across a network; on loopback a vantage's own server would send its detail uncompressed):`, '');
    out.push('| mode | JSZ summaries (wire / body) | JSZ detail (wire / body) | ROUTEZ + RAFTZ (wire / body) | epoch total wire | epoch total decompressed | ratio |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [mode, t] of Object.entries(r.liveBytes)) {
      const other = ['ROUTEZ', 'RAFTZ'].map((e) => t.byEndpoint[e] ?? { wire: 0, body: 0, replies: 0 });
      out.push(
        `| ${mode} | ${t.jszSummary.replies} × : ${bytes(t.jszSummary.wire)} / ${bytes(t.jszSummary.body)} | ${t.jszDetail.replies} × : ${bytes(t.jszDetail.wire)} / ${bytes(t.jszDetail.body)} | ${bytes(other[0]!.wire + other[1]!.wire)} / ${bytes(other[0]!.body + other[1]!.body)} | ${bytes(t.total.wire)} | ${bytes(t.total.body)} | ${ratio(t.total.body / t.total.wire)} |`,
      );
    }
    out.push('');
  }
  if (r.recorded) {
    out.push(
      `Recorded shapes (2.11.12 / 2.12.15 fixtures, cloned to ${ctx.cfg.live.streams} streams × 3 consumers, 3 servers × 3 vantages, gzip level 6 as the server's default), JSZ only. "counts-only" is gather's default \`flagged\` mode where servers count their own leaders (2.11.11+ / 2.12.1+): summaries from everyone, detail only from a server the counts flag as hot. No 2.11 or 2.12 server can be had here, so these are computed from the recorded replies (test/integration/gather-flagged-detail.test.ts checks the requests on the wire against impersonated 2.11.12 servers); the same path on a real server that counts its leaders is measured live in \`--only counts\` (below, when run):`,
      '',
    );
    out.push('| version | path | JSZ replies | decompressed | wire (gzip) | in gather |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const x of r.recorded) out.push(`| ${x.version} | ${x.path} | ${x.replies} | ${bytes(x.body)} | ${bytes(x.wire)} | ${x.implemented ? 'yes' : 'no'} |`);
    out.push('');
  }
  return out;
}

function renderBundle(b: BundleResult): string[] {
  return [
    '### 4. Lambda bundle',
    '',
    `functions/audit.ts bundled with esbuild as the CDK asset is built (auditBundleOptions in lib/infra/audit-bundle.ts: ESM split into index.mjs and on-demand chunks, node20, minify, source maps without sources content, the createRequire banner, AWS SDK inside): **${bytes(b.bytes)}** in ${b.files} files, of which a cold start imports ${bytes(b.startupBytes)} in ${b.startupFiles} (source maps ${bytes(b.mapBytes)}; empty handler ${bytes(b.emptyBytes)}), built in ${ms(b.buildMs)}. Largest contributors: ${b.topInputs.map((x) => `${x.path} ${bytes(x.bytes)}`).join(', ')}.`,
    '',
    `Cold start in a fresh process of ${b.runtime} with the function's NODE_OPTIONS (${AUDIT_NODE_OPTIONS.length > 0 ? `\`${AUDIT_NODE_OPTIONS.join(' ')}\`` : 'none'}), medians of ${b.auditRuns.length} alternating runs: import + init of the audit handler **${ms(b.auditInitMs)}** (import alone ${ms(b.auditImportMs)}; with \`--enable-source-maps\` added ${ms(b.auditInitSourceMapsMs)}) against **${ms(b.emptyInitMs)}** for the empty handler, and **${ms(b.depsInitMs)}** for a handler bundled the same way that only loads nats and builds the DynamoDB and Secrets Manager clients (${bytes(b.depsBytes)} imported at start). Whole process, spawn to exit: ${ms(b.auditProcessMs)} vs ${ms(b.emptyProcessMs)}. Init = \`import()\` plus one \`handler()\` call with an invalid event: it reads and validates the environment (a cluster pointing at a closed loopback port), builds the DynamoDB and Secrets Manager clients, the check registry and the handler, logs the rejected event, and returns before any network I/O. The SNS client is loaded when an epoch first has something to publish.`,
    '',
  ];
}

function renderPlanner(p: PlannerRow[]): string[] {
  const out = ['### 5. Rebalance planner', '', '| groups | placement | planRebalance | moves | max leaders before → after |', '| --- | --- | --- | --- | --- |'];
  for (const x of p) out.push(`| ${k(x.groups)} | ${x.placement} | ${ms(x.ms)} | ${x.moves} | ${x.maxBefore} → ${x.maxAfter} |`);
  out.push('');
  return out;
}

function renderCounts(c: CountsOnlyResult, ctx: RenderContext): string[] {
  const out = ['### Counts-only path on a live cluster (`--only counts`)', ''];
  if (!c.counting) {
    out.push(`Not measured: the servers (nats-server ${c.versions.join(', ')}) send no leader counts in their JSZ summaries, so gather asks every server for detail (section 1's flagged row).`, '');
    return out;
  }
  out.push(
    `3 servers (nats-server ${c.versions.join(', ')}, which send their own leader counts), ${ctx.cfg.live.streams} R3 streams × 3 consumers, gather's default \`flagged\` mode. ${ctx.cfg.live.repetitions} rounds per phase after a warm-up, each a bare summary PING.JSZ (\`{"raft":true}\`, until 3 replies) then a full epoch; medians. Between the phases every stream leader was moved onto ${c.pile.onto} (${c.pile.stepDowns} step-downs${c.pile.preferred ? ' naming it (placement.preferred)' : ''}, ${(c.pile.ms / 1000).toFixed(1)} s).`,
    '',
    '| leaders | own counts, streams / consumers led | detail asked of | JSZ summaries (wire / body) | JSZ detail (wire / body) | epoch total wire / decompressed | bare summary PING | full epoch: total / after setup | after setup ÷ summary PING (per round) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const p of c.phases) {
    const t = p.bytes;
    const counts = Object.entries(p.counts).sort(([a], [b]) => a.localeCompare(b)).map(([n, x]) => `${n} ${x.streams} / ${x.consumers}`).join(', ');
    out.push(
      `| ${p.phase} | ${counts} | ${p.detailFrom.length ? p.detailFrom.join(', ') : 'none'} | ${t.jszSummary.replies} × : ${bytes(t.jszSummary.wire)} / ${bytes(t.jszSummary.body)} | ${t.jszDetail.replies} × : ${bytes(t.jszDetail.wire)} / ${bytes(t.jszDetail.body)} | ${bytes(t.total.wire)} / ${bytes(t.total.body)} | ${ms(p.summaryBaselineMs)} | ${ms(p.totalMs)} / ${ms(p.afterSetupMs)} | ${ratio(median(p.pairRatios))} (${p.pairRatios.map((x) => x.toFixed(2)).join(', ')}) |`,
    );
  }
  out.push('');
  return out;
}

function renderLoad(l: LoadResult, ctx: RenderContext): string[] {
  const out = ['### 8. Load tracking', ''];
  out.push(
    `Groups as in section 5 (R3 streams with 3 consumers on 5 servers, seeded leaders), with counters one minute apart; n1's streams write 50× more. "epoch" is what an epoch adds for load: decode the remembered counters, rate every stream, encode the next ones, run leader_load_concentration. State bytes are the stream counters alone, gzip level 9 as the DynamoDB state item stores them (a write unit per started KB, every epoch). Consumer counters are their own item, read and written every ${DEFAULT_LOAD_DETAIL_EVERY}th epoch (the default cadence): its size, the write units that costs averaged over every epoch, and the time to rate the consumers and encode their next counters.`,
    '',
    '| groups | stream counters (JSON / gzip) | write units added per epoch | consumer counters item (gzip) | its write units per epoch, averaged | epoch, load part | consumers rated | load planner | moves |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const x of l.rows) {
    out.push(
      `| ${k(x.groups)} | ${bytes(x.stateJsonBytes)} / ${bytes(x.stateGzipBytes)} | ${Math.ceil(x.stateGzipBytes / 1024)} | ${bytes(x.consumerGzipBytes)} | ${(Math.ceil(x.consumerGzipBytes / 1024) / DEFAULT_LOAD_DETAIL_EVERY).toFixed(1)} | ${ms(x.epochMs)} | ${ms(x.consumerMs)} | ${ms(x.planMs)} | ${x.planMoves} |`,
    );
  }
  out.push(
    '',
    `Detail cadence on a counting cluster (2.11.12 shapes, ${ctx.cfg.load.streams} R3 streams × 3 consumers, 3 servers): an epoch with every server's detail is ${bytes(l.cadenceOf.perServerWire)} on the wire, one with summaries only ${bytes(l.cadenceOf.summariesWire)}. Average per epoch when every N-th epoch takes detail:`,
    '',
    '| every N epochs | JSZ wire per epoch | decompressed per epoch |',
    '| --- | --- | --- |',
    ...l.cadence.map((c) => `| ${c.every} | ${bytes(c.wirePerEpoch)} | ${bytes(c.bodyPerEpoch)} |`),
    '',
  );
  return out;
}

function renderStartup(rows: readonly StartupRow[], ctx: RenderContext): string[] {
  const out = ['### 7. CLI start-up', ''];
  out.push(
    `Whole processes on the live cluster (${ctx.cfg.live.streams} R3 streams × 3 consumers, 3 servers), ${ctx.cfg.live.repetitions} rounds after a warm-up run, in turns; medians. \`check\` is the built CLI as the package ships it (bin/bundle-cli.mjs): a small entry and one bundled script, run through \`vm.Script\` with the code cache the warm-up run wrote (lib/cli/code-cache.ts: V8's compiled code of every function the earlier run called, which Node's own compile cache leaves out); \`check\` neither reads the AWS SDK (left outside the script) nor runs the planner or the demo harness. "no code cache" is the same check with NATS_AUDIT_CODE_CACHE=off; "unbundled" is the same check run from tsc's output (dist/lib, ES modules, with Node's compile cache on 22.1+, NODE_COMPILE_CACHE here), all in the same rounds. "Unreachable" is \`check --servers nats://127.0.0.1:1\`, a closed port answered at once: start-up, loading and an epoch with no server work, bundled (with the code cache) vs unbundled.`,
    '',
    '| runtime | empty process | `nats-audit --help` | unreachable: bundled / unbundled | bare script | `nats-audit check` | check ÷ bare (per round) | no code cache | no code cache ÷ bare | unbundled check | unbundled ÷ bare |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    out.push(`| ${r.node} ${r.version} | ${ms(r.emptyMs)} | ${ms(r.helpMs)} | ${ms(r.unreachableMs)} / ${ms(r.unreachableUnbundledMs)} | ${ms(r.bareMs)} | ${ms(r.checkMs)} | ${ratio(median(r.ratios))} (${r.ratios.map((x) => x.toFixed(2)).join(', ')}) | ${ms(r.noCacheCheckMs)} | ${ratio(median(r.noCacheRatios))} | ${ms(r.unbundledCheckMs)} | ${ratio(median(r.unbundledRatios))} |`);
  }
  out.push('');
  return out;
}

/** The design this branch deploys: the watchdog, the compressed state, one secret per environment. */
const CHOSEN: DesignOptions = { design: 'now', memoryMb: FUNCTION_MEMORY_MB, sharedSecret: true };
/** The design before the watchdog: per-cluster metrics and heartbeat alarm, plain JSON state, a secret per cluster, 1 GB. */
const BEFORE: DesignOptions = { design: 'before', memoryMb: 1024, sharedSecret: false };
const FLEET_SIZES = [1, 10, 100] as const;

/** How the memory sizes were measured, or why they are only modelled. */
function quotaText(h: HandlerMeasurement): string[] {
  const model = 'The model: the wait as measured unthrottled, the CPU time stretched by Lambda\'s CPU share (memory ÷ 1,769 MB of a vCPU), taking this machine\'s core as one vCPU.';
  if (!('sizes' in h.quota)) return [`Memory sizes are **modelled**, not measured: no CPU quota could be set on this machine (${h.quota.unavailable}). ${model}`];
  return [
    `Memory sizes are **measured under a CPU quota**: after the epochs above, the same handler ran ${h.epochs} more epochs per size (after one unmeasured) with the bench process in a cgroup limited by ${h.quota.mechanism} to memory ÷ 1,769 MB of one CPU (${h.quota.sizes.map((x) => `${x.memoryMb} MB: ${x.cpus.toFixed(3)}`).join(', ')}; CFS period 100 ms), the kernel mechanism that throttles a process to a share of a CPU as Lambda's memory setting does. The nats-server processes stayed outside the quota, as remote servers would be. What it does not reproduce: an x86 core of this shared 2-core machine stands for a Graviton vCPU; the network is loopback; Lambda's heap flags for the size are not applied (the epoch holds a few MB); DynamoDB requests are recorded in-process, so the SDK's signing and HTTP work per request is not in the CPU time. ${model} The watchdog's runs stay modelled (a few ms each).`,
  ];
}

/**
 * Reply bytes one R3 stream with three consumers adds to an epoch, summaries
 * included: a synthetic 3-server sample built from recorded 2.9.10 replies,
 * with detail as gather asks it. What the reply budget's stream counts divide by.
 */
function r3StreamReplyBytes(): number {
  const streams = 300;
  return syntheticSample({ servers: 3, streams, consumersPerStream: 3, shape: 'per-server' }).replyBytes / streams;
}

function renderCost(h: HandlerMeasurement): string[] {
  const out = ['### 6. Monthly cost', ''];
  out.push(
    `Measured: the scheduled handler (real DynamoDbStateStore and DynamoDbRunLedger, DynamoDB requests recorded instead of sent) on the live cluster, ${h.epochs} epochs after a warm-up: **${ms(h.durationMs)}** per invocation (${h.durationRuns.map((x) => x.toFixed(0)).join(', ')} ms) of which **${ms(h.cpuMs)}** CPU, status ${h.status}, **${Math.round(h.logBytesPerEpoch)} B** logged per epoch (one line; the design before added a ${h.legacyEmfBytes} B EMF record), ${h.notifications} notifications. DynamoDB requests per epoch: ${h.callsPerEpoch.map((c) => `${c.op} ${c.sk.startsWith('run#') ? 'run#…' : c.sk} (${c.itemBytes} B)`).join(', ')}. The state item is ${h.stateItemBytes} B after these epochs and, once its history holds its 100 epoch summaries, **${h.steadyStateItemBytes} B** gzip-compressed as stored now (**${h.steadyStateJsonItemBytes} B** as the plain JSON stored before). ${h.consumerCountersItemBytes > 0 ? `The consumer counters' own item is ${h.consumerCountersItemBytes} B, read and written every ${DEFAULT_LOAD_DETAIL_EVERY}th epoch (counted below as a ${DEFAULT_LOAD_DETAIL_EVERY}th of its units every epoch).` : 'No consumer counters item was written.'} The watchdog, over n clusters' run records: ${h.watchdog.map((w) => `${w.clusters}: ${ms(w.durationMs)} (${ms(w.cpuMs)} CPU), ${w.rru} RRU`).join('; ')}.`,
    '',
    `Prices: us-east-1 list prices as of 2026, inputs in bench/cost.ts (PRICES); ${EPOCHS_PER_MONTH} epochs a month. Free tiers (Lambda 400k GB-s, SNS 1M publishes, Scheduler 14M invocations per account) are not subtracted.`,
    '',
    ...quotaText(h),
    '',
    `**Memory (ARM), the design now with a shared secret, 100 clusters in one environment** (the Lambda line priced from the ${'sizes' in h.quota ? 'epoch measured under that size\'s CPU quota' : 'modelled epoch'}):`,
    '',
    '| memory | epoch under the CPU quota (median; throttled periods) | modelled epoch | Lambda per cluster-month | all in per cluster-month | epoch reply budget (reply-budget.ts) |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  const streamBytes = r3StreamReplyBytes();
  for (const mb of MEMORY_SIZES_MB) {
    const o: DesignOptions = { ...CHOSEN, memoryMb: mb };
    const lambda = clusterMonthlyCost(h, o).find((l) => l.item === 'Lambda duration')!.usd;
    const budget = Math.min(256, Math.floor((mb - 128) / 3));
    const streams = Math.round((budget * 2 ** 20) / streamBytes / 1000);
    const q = 'sizes' in h.quota ? h.quota.sizes.find((x) => x.memoryMb === mb) : undefined;
    const measured = q ? `${ms(q.durationMs)} (${q.durationRuns.map((x) => x.toFixed(0)).join(', ')} ms; ${ms(q.cpuMs)} CPU; ${q.throttledPeriods})` : 'not measured';
    out.push(`| ${mb} MB${mb === CHOSEN.memoryMb ? ' (chosen)' : ''} | ${measured} | ${ms(modelledDurationMs(h.durationMs, h.cpuMs, mb))} | ${usd(lambda)} | ${usd(perClusterAllIn(h, o, 100))} | ${budget} MiB (~${streams}k R3 streams) |`);
  }
  out.push('', '**Per cluster-month, all in (the environment\'s fixed costs shared among its clusters), and per environment:**', '', '| clusters in the environment | before (per cluster / environment) | now, a secret per cluster | now, one secret per environment |', '| --- | --- | --- | --- |');
  for (const n of FLEET_SIZES) {
    const cell = (o: DesignOptions) => `${usd(perClusterAllIn(h, o, n))} / ${usd(perClusterAllIn(h, o, n) * n)}`;
    out.push(`| ${n} | ${cell(BEFORE)} | ${cell({ ...CHOSEN, sharedSecret: false })} | ${cell(CHOSEN)} |`);
  }
  out.push('', `**Per cluster, now (${CHOSEN.memoryMb} MB, shared secret):**`, '', '| item | arithmetic | per month |', '| --- | --- | --- |');
  const lines = clusterMonthlyCost(h, CHOSEN);
  for (const l of lines) out.push(`| ${l.item} | ${l.arithmetic} | ${usd(l.usd)} |`);
  out.push(`| **total per cluster** | | **${usd(sum(lines))}** |`, '');
  const noLease: DesignOptions = { ...CHOSEN, withoutLease: true };
  const writes = (o: DesignOptions) => clusterMonthlyCost(h, o).find((l) => l.item === 'DynamoDB writes')!;
  out.push(
    `Without the per-epoch lease (not deployed; see "DynamoDB: the lease stays" in BENCHMARKS.md): ${writes(noLease).arithmetic} = ${usd(writes(noLease).usd)} against ${usd(writes(CHOSEN).usd)}; per cluster ${usd(sum(clusterMonthlyCost(h, noLease)))} against ${usd(sum(lines))}, all in at 100 clusters ${usd(perClusterAllIn(h, noLease, 100))} against ${usd(perClusterAllIn(h, CHOSEN, 100))}.`,
    '',
  );
  out.push('**Per environment, now (fixed, bounded; the watchdog grows with the clusters it reads):**', '', '| item | arithmetic | 1 cluster | 10 | 100 |', '| --- | --- | --- | --- | --- |');
  const envAt = FLEET_SIZES.map((n) => environmentMonthlyCost(h, CHOSEN, n));
  envAt[2]!.forEach((l, i) => {
    out.push(`| ${l.item.replace(/ \(\d+ clusters\)/, '')} | ${l.arithmetic} | ${envAt.map((e) => usd(e[i]!.usd)).join(' | ')} |`);
  });
  out.push(`| **total per environment** | | ${envAt.map((e) => `**${usd(sum(e))}**`).join(' | ')} |`, '');
  out.push('Per fleet, once, in the notifications account: the findings topic\'s KMS key ($1.00).', '');
  out.push('**Before (1 GB, per-cluster metrics, heartbeat alarm and secret, plain JSON state), per cluster:**', '', '| item | arithmetic | per month |', '| --- | --- | --- |');
  const old = clusterMonthlyCost(h, BEFORE);
  for (const l of old) out.push(`| ${l.item} | ${l.arithmetic} | ${usd(l.usd)} |`);
  out.push(`| **total per cluster** | | **${usd(sum(old))}** |`, '');
  return out;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
