import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report, ReportFinding } from '../../lib/epoch/report.js';
import { HEALED_META_TIMEOUT_MS, HEALING_TEST_TIMEOUT_MS, useCluster } from '../support/cluster.js';
import { checkJson, systemEnv, useTempDir } from '../support/cli.js';

/** Election timeout is 4-9 s and an isolated leader holds its claim ~14 s more: epochs keep sampling well past both. */
const PARTITION_BUDGET_MS = 40_000;

function disagreementOf(report: Report): ReportFinding | undefined {
  return report.findings.find((f) => f.check === 'meta_leader_disagreement');
}

/** Runs epochs until `accept` holds for the report, within a deadline; returns every report seen. */
async function epochsUntil(
  args: readonly string[],
  env: Record<string, string>,
  accept: (report: Report) => boolean,
): Promise<Report[]> {
  const seen: Report[] = [];
  const deadline = Date.now() + PARTITION_BUDGET_MS;
  while (Date.now() < deadline) {
    const { report } = await checkJson(args, env);
    seen.push(report);
    if (accept(report)) return seen;
  }
  throw new Error(`condition not reached within ${PARTITION_BUDGET_MS} ms; statuses: ${seen.map((r) => r.status).join(', ')}`);
}

describe('meta leader disagreement on a real 3-node cluster', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('an isolated follower: warning while transient, critical once persistent, resolved after heal', async () => {
    const c = cluster();
    const state = join(dir, 'follower.json');
    const args = ['--state', state, '--timeout', '2000'];
    const env = systemEnv(c);

    const healthy = await checkJson(args, env);
    expect(healthy.code).toBe(0);
    expect(healthy.report.status).toBe('ok');

    const leader = await c.waitForMetaLeader();
    const follower = c.servers.map((s) => s.name).find((n) => n !== leader)!;
    c.isolate(follower);

    const [first] = (await epochsUntil(args, env, (r) => disagreementOf(r) !== undefined)).slice(-1);
    const transient = disagreementOf(first!)!;
    expect(transient.severity).toBe('warning');
    expect(transient.lifecycle).toMatchObject({ state: 'new', persistent: false, epochs: 1 });
    expect(transient.details.views).toMatchObject({ [follower]: null });
    expect(transient.details.partition).toMatchObject({ partitioned: true });
    expect(transient.summary).toContain(`${follower} says none`);
    const routes = first!.findings.find((f) => f.check === 'route_missing');
    expect(routes?.details.gaps).toEqual(expect.arrayContaining([{ server: follower, lacks: expect.arrayContaining([leader]) }]));

    const next = await checkJson(args, env);
    expect(next.code).toBe(2);
    const persistent = disagreementOf(next.report)!;
    expect(persistent.severity).toBe('critical');
    expect(persistent.lifecycle).toMatchObject({ state: 'ongoing', persistent: true, epochs: 2, transition: 'became_persistent' });
    expect(persistent.remediation[0]).toMatch(/Fix connectivity first/);

    c.heal();
    await c.waitForMetaLeader({ timeoutMs: HEALED_META_TIMEOUT_MS });
    const healed = await checkJson(args, env);
    expect(disagreementOf(healed.report)).toBeUndefined();
    expect(healed.report.resolved.map((r) => r.check)).toContain('meta_leader_disagreement');
  }, HEALING_TEST_TIMEOUT_MS);

  it('an isolated meta leader: two claimants are critical at once and the stale one is named; resolved after heal', async () => {
    const c = cluster();
    const state = join(dir, 'leader.json');
    const args = ['--state', state, '--timeout', '2000'];
    const env = systemEnv(c);
    const leader = await c.waitForMetaLeader();
    c.isolate(leader);

    const seen = await epochsUntil(args, env, (r) => {
      const f = disagreementOf(r);
      return f !== undefined && f.lifecycle.persistent;
    });
    const findings = seen.map(disagreementOf).filter((f): f is ReportFinding => f !== undefined);
    expect(findings[0]!.lifecycle.persistent).toBe(false);
    // The isolated leader keeps its claim for ~14 s after the majority's
    // election, several epochs long: the split brain must be seen, critical
    // from its first epoch.
    const splitBrain = findings.find((f) => (f.details.claimants as string[]).length >= 2);
    expect(splitBrain).toBeDefined();
    expect(splitBrain!.severity).toBe('critical');
    expect(splitBrain!.details.staleLeaders).toEqual([leader]);
    expect(splitBrain!.remediation.join('\n')).toContain(`restart nats-server on ${leader}`);
    const last = findings.at(-1)!;
    expect(last.severity).toBe('critical');
    expect(last.lifecycle.persistent).toBe(true);
    const views = last.details.views as Record<string, string | null>;
    const majority = Object.entries(views).filter(([server]) => server !== leader).map(([, view]) => view);
    expect(new Set(majority).size).toBe(1);
    expect(majority[0]).not.toBe(leader);

    c.heal();
    await c.waitForMetaLeader({ timeoutMs: HEALED_META_TIMEOUT_MS });
    const healed = await checkJson(args, env);
    expect(disagreementOf(healed.report)).toBeUndefined();
    expect(healed.report.resolved.map((r) => r.check)).toContain('meta_leader_disagreement');
  }, HEALING_TEST_TIMEOUT_MS);
});
