import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concentrateLeaders, consumerLeaders, createReplicatedStreams, streamLeaders } from '../../lib/local-cluster/index.js';
import { HEALED_META_TIMEOUT_MS, HEALING_TEST_TIMEOUT_MS, useCluster } from '../support/cluster.js';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack } from '../support/audit-stack.js';

const STREAMS = 12;

let minute = 0;
const nextScheduledTime = () => new Date(Date.UTC(2026, 10, 24, 0, minute++)).toISOString();

async function ledBy(app: NatsConnection, streams: readonly string[], server: string): Promise<number> {
  const leaders = { ...(await streamLeaders(app, streams)), ...(await consumerLeaders(app, streams)) };
  return Object.values(leaders).filter((l) => l === server).length;
}

describe('automatic rebalancing in the scheduled auditor', () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  let app: NatsConnection;
  let streams: string[];

  beforeAll(async () => {
    stack = await startAuditStack();
    const c = cluster();
    await c.waitForMetaLeader();
    app = await c.connect({ as: 'app' });
    streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 1 });
    await concentrateLeaders(app, { onto: 'n1', streams, consumers: true });
    stack.secrets.put(
      'nats-audit/rebalanced',
      JSON.stringify({ user: c.system.user, password: c.system.password, accounts: { APP: { user: c.app.user, password: c.app.password } } }),
    );
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });

  function config(name: string, autoRebalance: { enabled: boolean; maxMovesPerEpoch?: number }) {
    return clusterConfigs([
      {
        name,
        servers: [...cluster().urls],
        credentialsSecret: 'nats-audit/rebalanced',
        expectServers: 3,
        audit: { timeoutMs: 3_000 },
        autoRebalance,
      },
    ]);
  }

  it('is off by default: a persistent uneven distribution is reported, nothing is moved', async () => {
    // Prepare
    const handler = stack.handler(config('manual', { enabled: false }));
    const before = await ledBy(app, streams, 'n1');

    // Act
    await handler({ cluster: 'manual', scheduledTime: nextScheduledTime() }, lambdaContext());
    const second = await handler({ cluster: 'manual', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Assess
    expect(before).toBe(2 * STREAMS);
    expect(second).toMatchObject({ status: 'critical' });
    expect(await ledBy(app, streams, 'n1')).toBe(2 * STREAMS);
    expect(stack.epochLines('manual').every((m) => m.leadersMoved === undefined)).toBe(true);
  });

  it('when enabled, waits for the finding to persist, then moves at most the per-epoch cap and says what it did', async () => {
    // Prepare
    const queue = await stack.subscribe({ cluster: ['auto'], transition: ['remediation'] });
    const handler = stack.handler(config('auto', { enabled: true, maxMovesPerEpoch: 3 }));

    // Act
    await handler({ cluster: 'auto', scheduledTime: nextScheduledTime() }, lambdaContext());
    const afterTransient = await ledBy(app, streams, 'n1');
    await handler({ cluster: 'auto', scheduledTime: nextScheduledTime() }, lambdaContext());
    const afterPersistent = await ledBy(app, streams, 'n1');

    // Assess
    expect(afterTransient).toBe(2 * STREAMS);
    expect(afterPersistent).toBe(2 * STREAMS - 3);
    expect(stack.epochLines('auto').map((m) => m.leadersMoved)).toEqual([0, 3]);
    const [notice, ...more] = await queue.drain();
    expect(more).toEqual([]);
    const email = (JSON.parse(notice!.body) as { email: string }).email;
    expect(email).toContain('Auto-rebalance moved 3 of 3 leaders attempted');
    expect(email.match(/^ {2}moved(_elsewhere)?: (stream|consumer) APP\//gm)).toHaveLength(3);
    expect(email).not.toContain(cluster().app.password);
    expect(JSON.stringify(stack.logs)).not.toContain(cluster().app.password);
  });

  it('refuses behind the same gate while a server is cut off', async () => {
    // Prepare
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['gated'], transition: ['remediation'] });
    const handler = stack.handler(config('gated', { enabled: true, maxMovesPerEpoch: 3 }));
    c.isolate('n3');
    try {
      // Act: the finding becomes persistent in the second epoch; every attempt must meet the closed gate.
      for (let i = 0; i < 3; i++) await handler({ cluster: 'gated', scheduledTime: nextScheduledTime() }, lambdaContext());

      // Assess (from what the auditor did, not from JetStream's API, which a partition can stall)
      expect(stack.logs.some((l) => l.includes('"cluster":"gated"') && l.includes('auto-rebalance refused by the gate'))).toBe(true);
      expect(stack.epochLines('gated').map((m) => m.leadersMoved ?? 0)).toEqual([0, 0, 0]);
      expect(await queue.drain()).toEqual([]);
    } finally {
      c.heal();
      await c.waitForMetaLeader({ timeoutMs: HEALED_META_TIMEOUT_MS });
      await c.waitForRouteMesh({ timeoutMs: 30_000 });
    }
  }, HEALING_TEST_TIMEOUT_MS);
});
