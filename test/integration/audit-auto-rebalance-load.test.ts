import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicatedStreams, streamLeaders } from '../../lib/local-cluster/index.js';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack, type EpochLine } from '../support/audit-stack.js';
import { useCluster } from '../support/cluster.js';
import { describeWrites, measureWrites, placeLeaders, waitForWrites } from '../support/leader-load.js';
import { reconcile, startPublisher } from '../support/publisher.js';

const CLUSTER = 'by-load';
/** Three R3 streams led by each of n1, n2, n3: the leader counts are even. */
const LEADERS = { n1: ['LOAD_1', 'LOAD_2', 'LOAD_3'], n2: ['LOAD_4', 'LOAD_5', 'LOAD_6'], n3: ['LOAD_7', 'LOAD_8', 'LOAD_9'] } as const;
const STREAMS = Object.values(LEADERS).flat();
/** The streams the publisher writes into: all n1's. Evening them out takes two moves, one onto n2 and one onto n3. */
const BUSY = LEADERS.n1;
/** Below the two moves the plan needs, so the cap shows: one move an epoch, the rest the next. */
const MAX_MOVES_PER_EPOCH = 1;

let minute = 0;
const nextScheduledTime = () => new Date(Date.UTC(2026, 10, 25, 0, minute++)).toISOString();

interface Notice {
  readonly transition: string;
  readonly email: string;
}

/** The plan's load bound, as the auditor logged it on `auto-rebalance done`. */
interface PlannedLoad {
  readonly busiestBefore: number;
  readonly busiestAfter: number;
  readonly total: number;
}

describe('automatic rebalancing by load in the scheduled auditor, on a real 3-node cluster', () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  let app: NatsConnection;
  let sys: NatsConnection;

  beforeAll(async () => {
    stack = await startAuditStack();
    const c = cluster();
    await c.waitForMetaLeader();
    app = await c.connect({ as: 'app' });
    sys = await c.connect({ as: 'system' });
    await createReplicatedStreams(app, { count: STREAMS.length, replicas: 3, consumersPerStream: 0, prefix: 'LOAD' });
    await placeLeaders(app, LEADERS);
    stack.secrets.put(
      'nats-audit/by-load',
      JSON.stringify({ user: c.system.user, password: c.system.password, accounts: { APP: { user: c.app.user, password: c.app.password } } }),
    );
  }, 180_000);
  afterAll(async () => {
    await sys?.close();
    await app?.close();
    await stack?.close();
  });

  it('the count check stays quiet, the load check persists naming n1, the auditor moves n1\'s busy streams one epoch at a time, and the servers\' own figures then show the planned spread with no message lost', async () => {
    // Prepare
    const c = cluster();
    const handler = stack.handler(
      clusterConfigs([
        {
          name: CLUSTER,
          servers: [...c.urls],
          credentialsSecret: 'nats-audit/by-load',
          expectServers: 3,
          // Stream detail every epoch, for rates on servers that count their own
          // leaders too; the load check's noise floor lowered from 100 msg/s to 1:
          // the publisher of a loaded 2-core machine was seen writing 45 msg/s in
          // all, and epoch 4 must still flag n1 at two thirds of that. The rule
          // under test is the ratio against the average (the idle streams write
          // nothing), not the floor.
          audit: { timeoutMs: 3_000, loadDetailEvery: 1, thresholds: { leader_load_concentration: { min_rate: 1 } } },
          autoRebalance: { enabled: true, maxMovesPerEpoch: MAX_MOVES_PER_EPOCH, by: 'load' },
        },
      ]),
    );
    // Filtered on the load check: the remediation notices of a rebalance by load carry it too.
    const queue = await stack.subscribe({ cluster: [CLUSTER], check: ['leader_load_concentration'] });
    const publisher = startPublisher(app, BUSY);
    let acked = 0;
    let ended = 0;
    /** One scheduled epoch after enough writes since the last; what it logged and published. */
    const epoch = async (): Promise<{ line: EpochLine; notices: Notice[]; busyLeaders: string[] }> => {
      await waitForWrites(publisher, acked, ended);
      acked = publisher.acknowledged();
      await handler({ cluster: CLUSTER, scheduledTime: nextScheduledTime() }, lambdaContext());
      ended = Date.now();
      const notices = (await queue.drain()).map((m) => ({ transition: m.attributes.transition!, email: (JSON.parse(m.body) as { email: string }).email }));
      const leaders = await streamLeaders(app, BUSY);
      return { line: stack.epochLines(CLUSTER).at(-1)!, notices, busyLeaders: BUSY.map((s) => leaders[s]!) };
    };
    const checks = (line: EpochLine) => ((line.findings ?? []) as { check: string; subject: string }[]).map((f) => f.check);
    const remediations = (notices: readonly Notice[]) => notices.filter((n) => n.transition === 'remediation');

    try {
      // Act and assess, epoch by epoch.
      // 1: nothing to compare with yet, so no rates and no load finding.
      const first = await epoch();
      expect(checks(first.line), JSON.stringify(first.line)).toEqual([]);
      expect(first.line.leadersMoved).toBe(0);

      // 2: the load finding is new, names n1 by its writes while its count is even; nothing moves yet.
      const second = await epoch();
      expect(checks(second.line), JSON.stringify(second.line)).toEqual(['leader_load_concentration']);
      expect(second.line.leadersMoved).toBe(0);
      expect(second.notices.map((n) => n.transition)).toEqual(['new']);
      expect(second.notices[0]!.email).toMatch(/n1 leads 3 of 9 replicated streams, no more than its share by count, but 100 % of the writes/);
      expect(second.busyLeaders).toEqual(['n1', 'n1', 'n1']);

      // 3: persistent now: the auditor plans two moves off n1 and makes the first, the cap.
      const third = await epoch();
      expect(checks(third.line), JSON.stringify(third.line)).toEqual(['leader_load_concentration']);
      expect(third.line.leadersMoved).toBe(1);
      expect(third.busyLeaders.filter((l) => l === 'n1')).toHaveLength(2);
      const [moved] = remediations(third.notices);
      expect(remediations(third.notices)).toHaveLength(1);
      expect(moved!.email).toContain('Auto-rebalance moved 1 of 1 leader attempted; writes on the busiest server');
      expect(moved!.email).toContain(`stopped: the cap of ${MAX_MOVES_PER_EPOCH} moves per run was reached`);
      expect(moved!.email.match(/^ {2}moved(_elsewhere)?: stream APP\/LOAD_[123] n1 -> n[23]/gm)).toHaveLength(1);

      // 4: n1 still writes twice the average: the finding stays persistent and the auditor makes the last move.
      const fourth = await epoch();
      expect(checks(fourth.line), JSON.stringify(fourth.line)).toEqual(['leader_load_concentration']);
      expect(fourth.line.leadersMoved).toBe(1);
      expect(remediations(fourth.notices)).toHaveLength(1);
      expect([...fourth.busyLeaders].sort()).toEqual(['n1', 'n2', 'n3']);

      // 5: the writes are spread: the load finding resolves and nothing more moves.
      const fifth = await epoch();
      expect(checks(fifth.line), JSON.stringify(fifth.line)).toEqual([]);
      expect(fifth.line.leadersMoved).toBe(0);
      expect(fifth.notices.map((n) => n.transition)).toEqual(['resolved']);

      // The plan's bound, from the auditor's own log, and the writes measured independently from the servers' own figures.
      const plans = stack.logs
        .map((l) => JSON.parse(l) as { message: string; cluster?: string; plannedLoad?: PlannedLoad[] })
        .filter((l) => l.cluster === CLUSTER && l.message === 'auto-rebalance done')
        .map((l) => l.plannedLoad?.[0]);
      expect(plans).toHaveLength(2);
      const plannedShare = Math.max(...plans.map((p) => p!.busiestAfter / p!.total));
      const { perServer, moved: changedLeader, busiestShare } = await measureWrites(sys, 3, publisher);
      expect(changedLeader).toEqual([]);
      console.info(`auto-rebalance by load: planned busiest share ${plannedShare.toFixed(3)}, measured ${busiestShare.toFixed(3)} (${describeWrites(perServer)})`);
      expect(busiestShare).toBeLessThanOrEqual(plannedShare + 0.1);
    } finally {
      // Unavailability (publishes retried through each move's election) is reported; loss must be none.
      const published = await publisher.stop();
      console.info(`auto-rebalance by load: ${published.blips} failed attempts, longest unavailable ${published.unavailableMs.longest} ms`);
      expect(await reconcile(app, published)).toEqual({ lost: 0, duplicated: 0 });
    }
  }, 300_000);
});
