/**
 * Elections never page; real faults do, on whatever nats-server
 * NATS_SERVER_BIN names (2.9.10, 2.10.27, 2.15.1 here). Each scenario runs
 * real epochs through the epoch core (gather, confirmation, judge,
 * lifecycle) into a notifier that records what an SNS topic would receive,
 * with the Lambda's defaults (notify from warning, persistent after 2 epochs).
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { hotEntries, LEADER_BALANCE_DEFAULTS, type LeaderCounts } from '../../lib/domain/leader-balance.js';
import { DEFAULT_CONFIRM_DELAY_MS } from '../../lib/epoch/confirmation.js';
import { runEpoch } from '../../lib/epoch/run-epoch.js';
import { concentrateLeaders, consumerLeaders, createReplicatedStreams, streamLeaders, type LocalCluster } from '../../lib/local-cluster/index.js';
import { deliverTo } from '../../lib/notify/deliver.js';
import type { Notification, Notifier } from '../../lib/notify/types.js';
import type { Report, ReportFinding } from '../../lib/epoch/report.js';
import { gather } from '../../lib/sampling/gather.js';
import { MemoryStateStore } from '../../lib/state/state-store.js';
import { useCluster } from '../support/cluster.js';
import { pollUntil } from '../../lib/util/poll.js';

const STREAMS = 6;
/** Uneven's critical ratio (the check's default), for the independent count at the end. */
const CRITICAL_RATIO = 3;
/** Election timeout 4-9 s, a cut-off leader's claim ~14 s, a heal's re-election ~8 s: a partition phase ends well inside this. */
const PHASE_BUDGET_MS = 60_000;

interface Published {
  readonly epoch: number;
  readonly check: string;
  readonly subject: string;
  readonly severity: string;
  readonly transition: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An auditor with its own state and a notifier that records every publish. */
function auditor(cluster: LocalCluster) {
  const store = new MemoryStateStore();
  const published: Published[] = [];
  let epochs = 0;
  const notifier: Notifier = {
    publish: async (notifications: readonly Notification[]) => {
      for (const n of notifications) {
        published.push({ epoch: epochs, check: n.check, subject: n.subject, severity: n.severity, transition: n.transition, details: n.finding?.details });
      }
    },
  };
  const epoch = async (): Promise<Report> => {
    epochs++;
    const { report } = await runEpoch({
      sample: () =>
        gather({ servers: cluster.urls, auth: { user: cluster.system.user, password: cluster.system.password }, timeoutMs: 3_000, expectServers: cluster.servers.length }),
      store,
      clusterKey: cluster.name,
      registry: defaultRegistry(),
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      confirm: { delayMs: DEFAULT_CONFIRM_DELAY_MS },
      deliver: deliverTo(notifier, { reminderMs: 0, minSeverity: 'warning' }),
    });
    return report;
  };
  /** Epochs until `accept` holds, within the phase budget; every report seen. */
  const epochsUntil = async (accept: (report: Report) => boolean): Promise<Report[]> => {
    const seen: Report[] = [];
    const deadline = Date.now() + PHASE_BUDGET_MS;
    while (Date.now() < deadline) {
      const report = await epoch();
      seen.push(report);
      if (accept(report)) return seen;
    }
    throw new Error(`condition not reached within ${PHASE_BUDGET_MS} ms; statuses: ${seen.map((r) => r.status).join(', ')}`);
  };
  return { epoch, epochsUntil, published, epochCount: () => epochs };
}

/** Leaders per server, counted by the app account's own stream and consumer info, and whether the uneven rule calls any server critical. */
async function reallyUneven(
  cluster: LocalCluster,
  streams: readonly string[],
): Promise<{ counts: Record<string, LeaderCounts>; uneven: boolean; critical: boolean }> {
  const app = await cluster.connect({ as: 'app' });
  try {
    // Right after a heal the JetStream API can be busy with the elections
    // that follow (a request times out): wait, within the phase budget,
    // until it answers for every stream and consumer.
    const led = await pollUntil(
      async () => {
        try {
          return { streams: await streamLeaders(app, streams), consumers: await consumerLeaders(app, streams) };
        } catch {
          return undefined;
        }
      },
      { timeoutMs: PHASE_BUDGET_MS, intervalMs: 250 },
    );
    if (led === undefined) throw new Error(`the JetStream API did not answer for every group within ${PHASE_BUDGET_MS} ms`);
    const counts = new Map<string, { streams: number; consumers: number; total: number }>(cluster.servers.map((s) => [s.name, { streams: 0, consumers: 0, total: 0 }]));
    for (const leader of Object.values(led.streams)) {
      const c = counts.get(leader)!;
      c.streams++;
      c.total++;
    }
    for (const leader of Object.values(led.consumers)) {
      const c = counts.get(leader)!;
      c.consumers++;
      c.total++;
    }
    const { hot } = hotEntries(counts, LEADER_BALANCE_DEFAULTS);
    return { counts: Object.fromEntries(counts), uneven: hot.length > 0, critical: hot.some((h) => h.ratio >= CRITICAL_RATIO) };
  } finally {
    await app.close();
  }
}

/**
 * An audit epoch on a placement that held across it: an independent count
 * before and after the epoch agree. Leaders move for a while after a heal,
 * so epochs repeat until one lands between two equal counts, within the
 * phase budget.
 */
async function settledVerdict(
  cluster: LocalCluster,
  streams: readonly string[],
  audit: { epoch: () => Promise<Report> },
): Promise<{ report: Report; counted: Awaited<ReturnType<typeof reallyUneven>> }> {
  const deadline = Date.now() + PHASE_BUDGET_MS;
  const placements: string[] = [];
  while (Date.now() < deadline) {
    const before = await reallyUneven(cluster, streams);
    const report = await audit.epoch();
    const counted = await reallyUneven(cluster, streams);
    if (JSON.stringify(before.counts) === JSON.stringify(counted.counts)) return { report, counted };
    placements.push(JSON.stringify(counted.counts));
  }
  throw new Error(`leaders kept moving for ${PHASE_BUDGET_MS} ms: ${placements.join(' then ')}`);
}

/**
 * How the auditor judged the distribution in `report`: its verdict on the
 * placement (the worst hot ratio against the critical one), and the severity
 * it reported, which for a critical placement is a warning until the finding
 * persists (elections never page).
 */
function unevenVerdict(report: Report): { placement: 'even' | 'uneven' | 'critical'; severity?: string; persistent?: boolean } {
  const finding = report.findings.find((f) => f.check === 'uneven_leader_distribution');
  if (finding === undefined) return { placement: 'even' };
  // Ratios are rounded to 2 decimals; with a few groups on 3 servers none lies within 0.01 below 3.
  const worst = Math.max(...(finding.details['hot'] as readonly { ratio: number }[]).map((h) => h.ratio));
  return { placement: worst >= CRITICAL_RATIO ? 'critical' : 'uneven', severity: finding.severity, persistent: finding.lifecycle.persistent };
}

/** Stream and consumer leaders a notice's counts add up to. */
function groupsCounted(notice: Published): { streams: number; consumers: number } {
  const counts = Object.values((notice.details?.['counts'] ?? {}) as Record<string, LeaderCounts>);
  return { streams: counts.reduce((n, c) => n + c.streams, 0), consumers: counts.reduce((n, c) => n + c.consumers, 0) };
}

function disagreementOf(report: Report): ReportFinding | undefined {
  return report.findings.find((f) => f.check === 'meta_leader_disagreement');
}

describe(`elections never page, real faults do (${process.env.NATS_SERVER_BIN ?? 'nats-server on PATH'})`, () => {
  const cluster = useCluster(3);
  let streams: string[] = [];

  async function spreadLeaders(c: LocalCluster): Promise<void> {
    const app = await c.connect({ as: 'app' });
    try {
      if (streams.length === 0) streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 1 });
      const names = c.servers.map((s) => s.name);
      for (const [i, server] of names.entries()) {
        await concentrateLeaders(app, { onto: server, streams: streams.filter((_, k) => k % names.length === i), consumers: true });
      }
    } finally {
      await app.close();
    }
  }

  it('a rolling restart publishes no critical notice but a leader distribution that really remains uneven', async () => {
    // Prepare
    const c = cluster();
    await spreadLeaders(c);
    const audit = auditor(c);
    expect((await audit.epoch()).status).toBe('ok');

    // Act: SIGTERM each server in turn, an epoch while it is down and one once it has rejoined.
    for (const server of c.servers.map((s) => s.name)) {
      await c.terminate(server);
      await audit.epoch();
      await c.restart(server);
      await c.waitForRouteMesh();
      await c.waitForMetaLeader();
      await audit.epoch();
    }
    const after = await reallyUneven(c, streams);

    // Assess
    const critical = audit.published.filter((p) => p.severity === 'critical' && p.transition !== 'resolved');
    expect(critical.filter((p) => p.check !== 'uneven_leader_distribution')).toEqual([]);
    if (critical.length > 0) expect(after).toMatchObject({ uneven: true });
    expect(audit.published.filter((p) => p.check === 'meta_no_leader' || p.check === 'meta_leader_disagreement')).toEqual([]);
  });

  it('a partition that lasts is critical by its second epoch; healing publishes only resolutions and notices of whole placements, and a settled placement is judged as an independent count judges it', async () => {
    // Prepare: leaders as the rolling restart left them (stepping groups down
    // while they still catch up after restarts times out on 2.10); the
    // independent counts at the end say whether the settled placement is uneven.
    const c = cluster();
    await c.waitForRouteMesh();
    const audit = auditor(c);
    const leader = await c.waitForMetaLeader();
    const follower = c.servers.map((s) => s.name).find((n) => n !== leader)!;

    try {
    // Act: cut the follower off; epochs until its consensus shows the split
    // (after its election timeout it stops following), then one more.
    c.isolate(follower);
    const seen = await audit.epochsUntil((r) => disagreementOf(r) !== undefined);
    const firstSeen = seen.at(-1)!;
    const second = await audit.epoch();

    // Assess: critical by its second epoch.
    expect(disagreementOf(firstSeen)).toMatchObject({ severity: 'warning', details: { confirmation: { outcome: 'confirmed' } } });
    expect(disagreementOf(second)).toMatchObject({ severity: 'critical', lifecycle: { persistent: true } });
    expect(audit.published).toContainEqual(expect.objectContaining({ check: 'meta_leader_disagreement', severity: 'critical', transition: 'became_persistent' }));

    // Act: heal and audit at once, in the election that follows, and until every finding has resolved.
    const beforeHeal = audit.epochCount();
    c.heal();
    await audit.epochsUntil((r) => r.findings.every((f) => f.check === 'uneven_leader_distribution'));
    const settled = await settledVerdict(c, streams, audit);

    // Assess: only resolutions, and notices of the distribution. Leaders
    // still move for seconds after a heal (the healed server's higher terms
    // call elections), so a distribution noticed in the middle may be gone
    // by the end; what must hold is that each notice counted a real
    // placement, every group once (a miscount mid-election would page for
    // nothing), and that on a settled placement the auditor judges as an
    // independent count does.
    const healing = audit.published.filter((p) => p.epoch > beforeHeal);
    const notResolutions = healing.filter((p) => p.transition !== 'resolved');
    console.log(`partition heal: ${audit.epochCount() - beforeHeal} epochs; published ${JSON.stringify(healing.map((p) => ({ epoch: p.epoch - beforeHeal, check: p.check, severity: p.severity, transition: p.transition })))}; settled placement: ${JSON.stringify(settled.counted.counts)}`);
    expect(notResolutions.filter((p) => p.check !== 'uneven_leader_distribution')).toEqual([]);
    for (const notice of notResolutions) expect(groupsCounted(notice), JSON.stringify(notice.details?.['counts'])).toEqual({ streams: STREAMS, consumers: STREAMS });
    const verdict = unevenVerdict(settled.report);
    expect(verdict.placement).toBe(settled.counted.critical ? 'critical' : settled.counted.uneven ? 'uneven' : 'even');
    if (verdict.placement !== 'even') expect(verdict.severity).toBe(verdict.placement === 'critical' && verdict.persistent ? 'critical' : 'warning');
    expect(healing.map((p) => `${p.check}:${p.transition}`)).toContain('meta_leader_disagreement:resolved');
    } finally {
      c.heal();
    }
  });

  it('two servers claiming leadership are critical at once, with the stale one named', async () => {
    // Prepare
    const c = cluster();
    await c.waitForRouteMesh();
    const leader = await c.waitForMetaLeader();
    const audit = auditor(c);

    try {
    // Act: cut the meta leader off; epochs until the first with two claimants.
    c.isolate(leader);
    const seen = await audit.epochsUntil((r) => ((disagreementOf(r)?.details.claimants as string[] | undefined) ?? []).length >= 2);
    const split = disagreementOf(seen.at(-1)!)!;

    // Assess
    expect(split.severity).toBe('critical');
    expect(split.details.staleLeaders).toEqual([leader]);
    expect(split.details.leader).not.toBe(leader);
    expect(audit.published).toContainEqual(
      expect.objectContaining({ check: 'meta_leader_disagreement', severity: 'critical', epoch: audit.epochCount(), details: expect.objectContaining({ staleLeaders: [leader] }) }),
    );
    } finally {
      c.heal();
    }
  });
});
