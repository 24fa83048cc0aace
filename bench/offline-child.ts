/**
 * One offline measurement in a fresh process, so its peak RSS is its own.
 * Prints one JSON line. Modes:
 * - `floor FILE`: read the file, gunzip it when it ends in .gz, JSON.parse it.
 * - `check FILE`: `nats-audit check --sample FILE --format json` in-process
 *   (read, validate, observe, every check, report).
 * - `phases FILE`: the steps of `check --sample` timed one by one (read,
 *   JSON.parse of the file, sample schema, JSON.parse of every reply body
 *   alone, observe, the checks).
 * - `lambda DIR`: the Lambda's share after gathering: the sample is rebuilt
 *   in memory from DIR (head.json plus one file per reply body, as gather
 *   holds them), then one epoch is judged with a memory state store. Run it
 *   with the heap flags the Lambda runtime gives node (offline-scale.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkCommand } from '../lib/cli/check-command.js';
import { defaultRegistry } from '../lib/checks/index.js';
import { judge } from '../lib/epoch/judge.js';
import { runEpoch } from '../lib/epoch/run-epoch.js';
import { observe } from '../lib/observation/observe.js';
import { rawSampleSchema } from '../lib/sampling/raw-sample-schema.js';
import type { RawSample } from '../lib/sampling/raw-sample.js';
import { MemoryStateStore } from '../lib/state/state-store.js';

export interface ChildResult {
  readonly mode: string;
  readonly ms: number;
  /** RSS when the work started, after imports. */
  readonly startRss: number;
  /** Peak RSS of the process (bytes). */
  readonly peakRss: number;
  readonly status?: string;
  readonly findings?: readonly string[];
  readonly phases?: Readonly<Record<string, number>>;
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2);
  if (!mode || !target) throw new Error('usage: offline-child floor|check|lambda PATH');
  const startRss = process.memoryUsage().rss;
  const t0 = performance.now();
  let extra: Partial<ChildResult> = {};
  if (mode === 'floor') {
    const raw = await readFile(target);
    const text = (target.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    JSON.parse(text);
  } else if (mode === 'check') {
    let out = '';
    const code = await checkCommand(['--sample', target, '--format', 'json'], {
      stdout: (t) => (out += t),
      stderr: (t) => process.stderr.write(t),
      env: {},
      signal: new AbortController().signal,
    });
    const report = JSON.parse(out) as { status: string; findings: { check: string; summary: string }[] };
    extra = { status: `${report.status} (exit ${code})`, findings: report.findings.map((f) => `${f.check}: ${f.summary}`) };
  } else if (mode === 'phases') {
    const phases: Record<string, number> = {};
    const step = <T>(name: string, body: () => T): T => {
      const t = performance.now();
      const value = body();
      phases[name] = performance.now() - t;
      return value;
    };
    const text = await readFile(target, 'utf8');
    phases['read'] = performance.now() - t0;
    const json = step('parse file', () => JSON.parse(text) as unknown);
    const parsed = step('validate sample', () => rawSampleSchema.parse(json));
    step('JSON.parse bodies', () => {
      for (const v of parsed.vantages) for (const r of v.requests) for (const reply of r.replies) if (reply.body !== undefined) JSON.parse(reply.body);
    });
    const observation = step('observe', () => observe(parsed));
    step('checks', () => judge(defaultRegistry(), { observation, history: [] }, { skip: new Set(), thresholds: {} }));
    extra = { phases };
  } else if (mode === 'lambda') {
    const sample = await loadSplitSample(target);
    const t1 = performance.now();
    const { report } = await runEpoch({
      sample: async () => sample,
      store: new MemoryStateStore(),
      clusterKey: 'bench',
      registry: defaultRegistry(),
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
    });
    extra = { status: report.status, findings: report.findings.map((f) => `${f.check}: ${f.summary}`) };
    // Only the judging is timed: loading stands in for gathering.
    emit({ mode, ms: performance.now() - t1, startRss, peakRss: process.resourceUsage().maxRSS * 1024, ...extra });
    return;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  emit({ mode, ms: performance.now() - t0, startRss, peakRss: process.resourceUsage().maxRSS * 1024, ...extra });
}

function emit(result: ChildResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Inverse of `splitSample` in offline-scale.ts: bodies are `<vantage>-<request>-<reply>.txt`. */
async function loadSplitSample(dir: string): Promise<RawSample> {
  const head = JSON.parse(await readFile(join(dir, 'head.json'), 'utf8')) as RawSample;
  const files = new Set(await readdir(dir));
  const vantages = await Promise.all(
    head.vantages.map(async (v, vi) => ({
      ...v,
      requests: await Promise.all(
        v.requests.map(async (r, ri) => ({
          ...r,
          replies: await Promise.all(
            r.replies.map(async (reply, pi) => {
              const file = `${vi}-${ri}-${pi}.txt`;
              return files.has(file) ? { ...reply, body: await readFile(join(dir, file), 'utf8') } : reply;
            }),
          ),
        })),
      ),
    })),
  );
  return { ...head, vantages };
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
});
