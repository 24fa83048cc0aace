/**
 * One offline measurement in a fresh process, so its peak RSS is its own.
 * Prints one JSON line. Modes:
 * - `floor FILE`: read the file, gunzip it (when it starts with gzip's magic
 *   bytes), JSON.parse it: each line of a v2 sample, the whole of a v1 one.
 * - `check FILE`: `nats-audit check --sample FILE --format json` in-process
 *   (read, validate, observe, every check, report).
 * - `phases FILE` (a v2 sample): the steps of `check --sample` timed one by
 *   one (read, gunzip, JSON.parse of every line, the header's schema, the
 *   reply parsers' validation of every body alone, observe (which includes
 *   that validation), the checks).
 * - `lambda DIR`: the Lambda's share after gathering: the sample is rebuilt
 *   in memory from DIR (head.json plus one file per reply body, as gather
 *   holds them), then one epoch is judged with a memory state store. Run it
 *   with the heap flags the Lambda runtime gives node (offline-scale.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseJszReply, parseRaftzReply, parseRoutezReply } from '../lib/replies/index.js';
import { checkCommand } from '../lib/cli/check-command.js';
import { defaultRegistry } from '../lib/checks/index.js';
import { judge } from '../lib/epoch/judge.js';
import { runEpoch } from '../lib/epoch/run-epoch.js';
import { observe } from '../lib/observation/observe.js';
import { sampleFileHeaderSchema } from '../lib/sampling/raw-sample-schema.js';
import type { RawReply, RawSample } from '../lib/domain/raw-sample.js';
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
    const content = isGzip(raw) ? gunzipSync(raw) : raw;
    const lines = splitLines(content);
    if (isV2(lines[0]!)) for (const line of lines) JSON.parse(line.toString('utf8'));
    else JSON.parse(content.toString('utf8'));
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
    const raw = await readFile(target);
    phases['read'] = performance.now() - t0;
    const content = step('gunzip', () => gunzipSync(raw));
    const values = step('JSON.parse lines', () => splitLines(content).map((line) => JSON.parse(line.toString('utf8')) as unknown));
    const header = step('validate header', () => sampleFileHeaderSchema.parse(values[0]));
    const parsed: RawSample = {
      ...header,
      vantages: header.vantages.map((v) => ({
        ...v,
        requests: v.requests.map((r) => ({
          ...r,
          replies: r.replies.map(({ jsonLine, ...meta }): RawReply => (jsonLine === undefined ? meta : { ...meta, json: values[jsonLine - 1] })),
        })),
      })),
    };
    const parsers = { JSZ: parseJszReply, ROUTEZ: parseRoutezReply, RAFTZ: parseRaftzReply };
    step('validate replies', () => {
      for (const v of parsed.vantages) for (const r of v.requests) for (const reply of r.replies) if (reply.json !== undefined) parsers[r.endpoint]({ json: reply.json });
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

function isGzip(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isV2(firstLine: Buffer): boolean {
  return firstLine.subarray(0, 64).toString('utf8').includes('"type":"io.nats-audit.v2.sample"');
}

function splitLines(content: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let end = content.indexOf(10); end !== -1; end = content.indexOf(10, start)) {
    lines.push(content.subarray(start, end));
    start = end + 1;
  }
  if (start < content.length) lines.push(content.subarray(start));
  return lines;
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
