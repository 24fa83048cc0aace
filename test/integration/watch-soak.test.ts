/**
 * A `check --watch 1` soak against a real cluster: epochs never overlap, the
 * process's memory and file descriptors stay flat, and SIGTERM stops it
 * between epochs with the state of its last epoch saved. Short in CI;
 * `npm run soak` runs 1,000 epochs (NATS_AUDIT_WATCH_SOAK_EPOCHS) and prints
 * the figures BENCHMARKS.md quotes. Nothing here asserts a duration.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../lib/epoch/report.js';
import { pollUntil } from '../../lib/util/poll.js';
import { systemEnv, useTempDir } from '../support/cli.js';
import { useCluster } from '../support/cluster.js';
import { mib } from '../support/warm-soak.js';

const CLI = resolve('dist/bin/nats-audit.js');
const EPOCHS = Number(process.env.NATS_AUDIT_WATCH_SOAK_EPOCHS ?? 16);
/** What the process may gain from the first quarter's checkpoint to the end (no GC can be forced from outside). */
const BOUNDS = { rss: 48 * 2 ** 20, fds: 0 } as const;

interface Holdings {
  readonly rss: number;
  readonly fds: number;
}

function holdings(pid: number): Holdings {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return { rss: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

describe('check --watch for many epochs', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('never overlaps epochs, holds no more memory or fds at the end, and stops on SIGTERM between epochs with its state saved', async () => {
    const c = cluster();
    await c.waitForMetaLeader();
    const state = join(dir, 'watch-soak.json');
    const child = spawn(process.execPath, [CLI, 'check', '--watch', '1', '--format', 'json', '--state', state, '--timeout', '3000'], {
      env: { PATH: process.env.PATH ?? '', ...systemEnv(c) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
    const reports: Report[] = [];
    const samples: { epoch: number; holdings: Holdings }[] = [];
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        reports.push(JSON.parse(out.slice(0, nl)) as Report);
        out = out.slice(nl + 1);
        // Right after an epoch printed: the process is between epochs, its epoch's garbage not yet swept.
        if (child.pid !== undefined) samples.push({ epoch: reports.length, holdings: holdings(child.pid) });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));

    try {
      const done = await pollUntil(async () => (reports.length >= EPOCHS ? true : undefined), { timeoutMs: EPOCHS * 10_000, intervalMs: 50 });
      expect(done, `${reports.length} of ${EPOCHS} epochs printed; stderr: ${err}`).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    const { code, signal } = await exited;

    // Stopped by its own hand, not killed: an exit code, nothing on stderr, no half-printed report.
    expect(signal).toBeNull();
    expect([0, 1, 2]).toContain(code);
    expect(err).toBe('');
    expect(out).toBe('');
    // Epoch ids run on without gaps, and each epoch started after the previous one ended.
    expect(reports.map((r) => r.epoch.id)).toEqual(reports.map((_, i) => i + 1));
    for (let i = 1; i < reports.length; i++) {
      const previous = reports[i - 1]!.epoch;
      expect(Date.parse(reports[i]!.epoch.startedAt)).toBeGreaterThanOrEqual(Date.parse(previous.startedAt) + Math.floor(previous.durationMs));
    }
    // The state holds exactly the last printed epoch.
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { clusters: Record<string, { epoch: number }> };
    expect(Object.values(saved.clusters).map((s) => s.epoch)).toEqual([reports.length]);

    // Flat: from the end of the first quarter (warm) to the last epoch.
    const warm = samples.find((s) => s.epoch >= Math.ceil(EPOCHS / 4))!.holdings;
    const last = samples.at(-1)!.holdings;
    console.info(
      `watch soak: ${reports.length} epochs; rss ${mib(warm.rss)} -> ${mib(last.rss)} (peak ${mib(Math.max(...samples.map((s) => s.holdings.rss)))}), fds ${warm.fds} -> ${last.fds}`,
    );
    expect(last.fds - warm.fds).toBeLessThanOrEqual(BOUNDS.fds);
    expect(last.rss - warm.rss).toBeLessThanOrEqual(BOUNDS.rss);
  }, 120_000 + EPOCHS * 10_000);
});
