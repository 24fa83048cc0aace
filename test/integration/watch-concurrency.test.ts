/**
 * Two `check --watch` processes auditing one cluster into one state file, as
 * two operators (or a cron job and an operator) might: the file must stay
 * whole and valid, epochs must never be counted twice, and the loser of a
 * revision race says UNKNOWN for that epoch and carries on.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Report } from '../../lib/epoch/report.js';
import { loadSnapshotSchema } from '../../lib/load/load-snapshot.js';
import { auditStateSchema } from '../../lib/state/audit-state.js';
import { FileStateStore } from '../../lib/state/file-state-store.js';
import { systemEnv, useTempDir } from '../support/cli.js';
import { useCluster } from '../support/cluster.js';

const CLI = resolve('dist/bin/nats-audit.js');
/** Each watcher's state reads are held this long, so their epochs' load-to-save windows overlap. */
const SLOW_READ_MS = 250;
/** Epochs (reports or UNKNOWN lines) each watcher must print before both are stopped. */
const EPOCHS_EACH = 4;
const RUN_BUDGET_MS = 40_000;

/** The state file's shape, as FileStateStore writes it. */
const stateFileSchema = z
  .object({
    type: z.literal('io.nats-audit.v1.state'),
    clusters: z.record(z.string(), auditStateSchema),
    consumerCounters: z.record(z.string(), loadSnapshotSchema).optional(),
  })
  .strict();

interface Watcher {
  readonly reports: Report[];
  readonly unknown: string[];
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): void;
}

function startWatcher(args: readonly string[], env: Record<string, string>, onProgress: () => void): Watcher {
  const child = spawn(process.execPath, ['--import', resolve('test/support/slow-state-read.mjs'), CLI, 'check', '--watch', '1', '--format', 'json', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reports: Report[] = [];
  const unknown: string[] = [];
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      reports.push(JSON.parse(out.slice(0, nl)) as Report);
      out = out.slice(nl + 1);
    }
    onProgress();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    unknown.splice(0, unknown.length, ...err.split('\n').filter((l) => l.startsWith('UNKNOWN ')));
    onProgress();
  });
  return {
    reports,
    unknown,
    stderr: () => err,
    exited: new Promise((res) => child.on('close', (code, signal) => res({ code, signal }))),
    stop: () => void child.kill('SIGINT'),
  };
}

describe('two check --watch processes sharing a state file', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('keep the file valid, never count an epoch twice, and the loser of a race prints UNKNOWN and continues', async () => {
    // Prepare
    const statePath = join(dir, 'state.json');
    const env = { ...systemEnv(cluster()), NATS_AUDIT_TEST_SLOW_READ_FILE: statePath, NATS_AUDIT_TEST_SLOW_READ_MS: String(SLOW_READ_MS) };
    const args = ['--state', statePath, '--cluster', 'shared', '--expect-servers', '3'];
    await cluster().waitForMetaLeader();
    let done!: () => void;
    const enough = new Promise<void>((res) => (done = res));
    const check = () => {
      if (watchers.every((w) => w.reports.length + w.unknown.length >= EPOCHS_EACH) && watchers.some((w) => w.unknown.length > 0)) done();
    };
    const watchers: Watcher[] = [];
    watchers.push(startWatcher(args, env, check), startWatcher(args, env, check));

    // Act
    const budget = setTimeout(done, RUN_BUDGET_MS);
    await enough;
    clearTimeout(budget);
    for (const w of watchers) w.stop();
    const exits = await Promise.all(watchers.map((w) => w.exited));

    // Assess: no crash; each stopped cleanly with the code of its last epoch.
    for (const [i, w] of watchers.entries()) {
      expect(exits[i]!.signal, w.stderr()).toBeNull();
      expect([0, 3], w.stderr()).toContain(exits[i]!.code);
      expect(w.stderr()).not.toMatch(/^\s+at /m);
      // It went on after every lost race: as many epochs as the others, whatever each said.
      expect(w.reports.length + w.unknown.length).toBeGreaterThanOrEqual(EPOCHS_EACH);
    }
    expect(watchers.flatMap((w) => w.reports).length).toBeGreaterThanOrEqual(EPOCHS_EACH);
    // Every line on stderr is a lost race, said as UNKNOWN, and the watcher went on to print more epochs.
    const lost = watchers.flatMap((w) => w.unknown);
    expect(lost.length).toBeGreaterThan(0);
    for (const line of lost) expect(line).toMatch(/^UNKNOWN shared: state for shared changed while this epoch ran \(expected revision \d+, found \d+\)$/);
    for (const w of watchers) expect(w.stderr().trim().split('\n').filter((l) => l !== '' && !l.startsWith('UNKNOWN '))).toEqual([]);
    // Per watcher the epoch ids strictly increase; together they are every epoch the file counted, once.
    for (const w of watchers) {
      const ids = w.reports.map((r) => r.epoch.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    }
    const file = stateFileSchema.parse(JSON.parse(readFileSync(statePath, 'utf8')));
    const state = file.clusters.shared!;
    const printed = watchers.flatMap((w) => w.reports.map((r) => r.epoch.id)).sort((a, b) => a - b);
    expect(printed).toEqual(Array.from({ length: state.epoch }, (_, i) => i + 1));
    expect(state.revision).toBe(state.epoch);
    expect(watchers.flatMap((w) => w.reports).every((r) => r.status === 'ok')).toBe(true);
    expect((await new FileStateStore(statePath).load('shared')).notice).toBeUndefined();
  });
});
