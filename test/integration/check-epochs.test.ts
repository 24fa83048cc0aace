import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../lib/epoch/report.js';
import { useCluster } from '../support/cluster.js';
import { metaStepDown, type LocalCluster } from '../../lib/local-cluster/index.js';
import { checkJson, systemEnv, useTempDir } from '../support/cli.js';

describe('check --watch on a real cluster', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('runs an epoch per interval, numbering them from the state file, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [resolve('dist/bin/nats-audit.js'), 'check', '--watch', '1', '--format', 'json', '--state', join(dir, 'state.json')], {
      env: { PATH: process.env.PATH ?? '', ...systemEnv(cluster()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const reports: Report[] = [];
    let buffered = '';
    const exited = new Promise<number | null>((res) => child.on('close', res));
    const enough = new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`only ${reports.length} epochs within 20 s`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          reports.push(JSON.parse(buffered.slice(0, newline)) as Report);
          buffered = buffered.slice(newline + 1);
        }
        if (reports.length >= 3) {
          clearTimeout(timer);
          res();
        }
      });
    });
    try {
      await enough;
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(reports.slice(0, 3).map((r) => r.epoch.id)).toEqual([1, 2, 3]);
    expect(reports.every((r) => r.status === 'ok')).toBe(true);
    // Started a second apart, not back to back and not overlapping.
    const starts = reports.map((r) => Date.parse(r.epoch.startedAt));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(900);
  });
});

describe('meta leader flapping on a real cluster', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('flags a meta leader that changed more often than allowed across epochs', async () => {
    const c = cluster();
    const args = ['--state', join(dir, 'flapping.json'), '--threshold', 'meta_leader_flapping.max_changes=1', '--skip', 'meta_leader_disagreement'];
    const system = await c.connect({ as: 'system' });
    try {
      // Two step-downs: the first leaves one change in the window (allowed), the second makes two.
      for (let i = 0; i < 2; i++) {
        const before = await c.waitForMetaLeader();
        const { report } = await checkJson(args, systemEnv(c));
        expect(report.findings.map((f) => f.check)).not.toContain('meta_leader_flapping');
        await metaStepDown(system);
        await waitForNewLeader(c, before);
      }
      const { report } = await checkJson(args, systemEnv(c));
      const flapping = report.findings.find((f) => f.check === 'meta_leader_flapping');
      expect(flapping).toMatchObject({ severity: 'warning', subject: 'meta:default' });
      expect((flapping!.details.changes as number)).toBeGreaterThanOrEqual(2);
    } finally {
      await system.close();
    }
  });
});

async function waitForNewLeader(c: LocalCluster, previous: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const leader = await c.waitForMetaLeader({ timeoutMs: 20_000 });
    if (leader !== previous) return leader;
    if (Date.now() > deadline) throw new Error(`meta leader stayed ${previous} after a step-down`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
