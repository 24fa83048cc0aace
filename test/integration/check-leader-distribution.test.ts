import { describe, expect, it } from 'vitest';
import { concentrateLeaders, createReplicatedStreams } from '../../lib/local-cluster/index.js';
import { useCluster } from '../support/cluster.js';
import { join } from 'node:path';
import { checkJson, runCli, systemEnv, useTempDir } from '../support/cli.js';

const STREAMS = 6;

describe('uneven leader distribution on a real 3-node cluster', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('is silent when leaders are spread evenly, and flags the server all leaders were piled onto', async () => {
    const c = cluster();
    const app = await c.connect({ as: 'app' });
    try {
      const streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 1 });
      const names = c.servers.map((s) => s.name);
      for (const [i, server] of names.entries()) {
        await concentrateLeaders(app, { onto: server, streams: streams.filter((_, k) => k % names.length === i), consumers: true });
      }
      const even = await checkJson([], systemEnv(c));
      expect(even.report.findings.map((f) => f.check)).not.toContain('uneven_leader_distribution');

      const hot = names[1]!;
      await concentrateLeaders(app, { onto: hot, streams, consumers: true });
      const first = await checkJson([], systemEnv(c));
      // 3x the average is critical by default, but leaders also pile up for a
      // while after a restart: a warning when first seen, critical once persistent.
      expect(first.report.findings.find((f) => f.check === 'uneven_leader_distribution')).toMatchObject({
        severity: 'warning',
        lifecycle: { state: 'new', persistent: false },
      });
      expect(first.code).toBe(1);
      const { code, report } = await checkJson([], systemEnv(c));
      const finding = report.findings.find((f) => f.check === 'uneven_leader_distribution');
      expect(finding).toBeDefined();
      expect(finding!.severity).toBe('critical');
      expect(finding!.lifecycle).toMatchObject({ persistent: true, transition: 'became_persistent' });
      expect(code).toBe(2);
      expect(finding!.summary).toContain(`${hot} leads`);
      expect(finding!.details.counts).toMatchObject({ [hot]: { streams: STREAMS, consumers: STREAMS, total: 2 * STREAMS } });
      const stepDowns = finding!.remediation.filter((r) => r.startsWith('nats '));
      // Down to the average of 2 streams and 2 consumers: 4 of each move.
      expect(stepDowns.filter((r) => r.startsWith('nats stream cluster step-down ORDERS_'))).toHaveLength(4);
      expect(stepDowns.filter((r) => r.startsWith('nats consumer cluster step-down ORDERS_'))).toHaveLength(4);
      expect(finding!.details.stepDowns).toEqual(expect.arrayContaining([expect.objectContaining({ leader: hot, account: 'APP' })]));

      const text = await runCli(['check'], { env: systemEnv(c) });
      expect(text.code).toBe(2);
      expect(text.stdout).toMatch(/^CRITICAL /);
      expect(text.stdout).toContain('[CRITICAL] uneven_leader_distribution');
      expect(text.stdout).toContain('nats stream cluster step-down ORDERS_');
    } finally {
      await app.close();
    }
  });

  it('honours a raised threshold: the same cluster is then only a warning', async () => {
    const { report } = await checkJson(['--threshold', 'uneven_leader_distribution.critical_ratio=3.5'], systemEnv(cluster()));
    const finding = report.findings.find((f) => f.check === 'uneven_leader_distribution');
    expect(finding?.severity).toBe('warning');
  });

  it('lists no step-down while a replica is hung: the distribution waits for every server, and rebalance refuses alike', async () => {
    // Prepare: every leader is on n2 (the first test); n3, a replica of every group, hangs.
    const c = cluster();
    c.pause('n3');
    try {
      // Act: once n3 misses an epoch it is reported missing; with an expected server silent its
      // groups are necessarily led elsewhere, so the distribution is not judged (the reasons a
      // leader cannot move are the unit tests' business: test/unit/checks/uneven-leader-distribution.test.ts).
      let report: Awaited<ReturnType<typeof checkJson>>['report'] | undefined;
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline) {
        report = (await checkJson(['--timeout', '1500'], systemEnv(c))).report;
        if (report.findings.some((f) => f.check === 'server_missing' && f.subject === 'server:n3')) break;
      }

      // Assess: no verdict on the distribution and no step-down anywhere; `rebalance --execute` refuses too.
      expect(report!.findings.map((f) => f.subject), JSON.stringify(report!.findings)).toContain('server:n3');
      expect(report!.findings.filter((f) => f.check === 'uneven_leader_distribution')).toEqual([]);
      expect(report!.findings.flatMap((f) => f.remediation).filter((r) => r.startsWith('nats ') && r.includes('step-down'))).toEqual([]);
      const rebalance = await runCli(['rebalance', '--execute', '--timeout', '1500'], { env: systemEnv(c) });
      expect(rebalance.code, rebalance.stderr).toBe(2);
      expect(rebalance.stderr).toContain('refusing to start');
    } finally {
      c.resume('n3');
      await c.waitForMetaLeader({ timeoutMs: 30_000 });
    }
  }, 120_000);
  it('an open finding survives a server\'s stop: held unjudged while it is silent, judged again once it is back, never resolved in between', async () => {
    // Prepare: every leader on n2, the finding opened by its own state file's first epoch.
    const c = cluster();
    const app = await c.connect({ as: 'app' });
    const state = ['--state', join(dir, 'stop.json'), '--timeout', '1500'];
    try {
      await concentrateLeaders(app, { onto: 'n2', streams: [...Array(STREAMS).keys()].map((i) => `ORDERS_${i + 1}`), consumers: true });
      const opened = (await checkJson(state, systemEnv(c))).report.findings.find((f) => f.check === 'uneven_leader_distribution');
      expect(opened?.lifecycle.state).toBe('new');

      // Act: n3, a replica of every group, stops; one epoch while it is down.
      await c.kill('n3');
      const down = (await checkJson(state, systemEnv(c))).report;

      // Assess: n3 missing; the distribution not judged (its leaders would sit elsewhere), the finding neither shown nor resolved.
      const seen = JSON.stringify({ findings: down.findings.map((f) => f.subject), resolved: down.resolved, checks: down.checks });
      expect(down.findings.map((f) => f.subject), seen).toContain('server:n3');
      expect(down.findings.filter((f) => f.check === 'uneven_leader_distribution'), seen).toEqual([]);
      expect(down.resolved.filter((r) => r.check === 'uneven_leader_distribution'), seen).toEqual([]);
      expect(down.checks.find((r) => r.check === 'uneven_leader_distribution')?.unjudged?.map((u) => u.subject), seen).toEqual(['*']);

      // Act: n3 back. Until every group has a leader again the epochs may see an election and hold
      // the finding again; wait for one that judges, with a deadline.
      await c.restart('n3');
      await c.waitForMetaLeader({ timeoutMs: 30_000 });
      let judged: (typeof down.findings)[number] | undefined;
      const deadline = Date.now() + 60_000;
      while (judged === undefined && Date.now() < deadline) {
        const { report } = await checkJson(state, systemEnv(c));
        expect(report.resolved.filter((r) => r.check === 'uneven_leader_distribution'), JSON.stringify(report.resolved)).toEqual([]);
        judged = report.findings.find((f) => f.check === 'uneven_leader_distribution');
      }

      // Assess: the same finding, one more judged epoch, still dating from the first.
      expect(judged, 'an epoch judged the distribution within 60 s of the restart').toBeDefined();
      expect(judged!.lifecycle).toMatchObject({ state: 'ongoing', epochs: 2, firstSeen: opened!.lifecycle.firstSeen });
      expect(judged!.summary).toContain('n2 leads');
    } finally {
      await app.close();
    }
  }, 180_000);
});
