import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concentrateLeaders, createReplicatedStreams } from '../../lib/local-cluster/index.js';
import { EPOCH_DONE_MESSAGE } from '../../lib/serverless/epoch-log-messages.js';
import type { EpochDashboardFields } from '../../lib/serverless/epoch-log-fields.js';
import { useCluster } from '../support/cluster.js';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack } from '../support/audit-stack.js';

const STREAMS = 4;

/**
 * The environment dashboard charts the epoch's log line through Logs
 * Insights (lib/infra/fleet-dashboard.ts); these are the fields it reads,
 * written by the real handler after a real epoch.
 */
describe("the scheduled auditor's epoch log line, on a real cluster", () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  beforeAll(async () => {
    stack = await startAuditStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('carries each server\'s leaders, the open findings by check and the epoch duration', async () => {
    // Prepare: every stream and consumer leader piled onto one server
    const c = cluster();
    const app = await c.connect({ as: 'app' });
    const names = c.servers.map((s) => s.name);
    const hot = names[1]!;
    try {
      const streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 1 });
      await concentrateLeaders(app, { onto: hot, streams, consumers: true });
    } finally {
      await app.close();
    }
    stack.secrets.put('nats-audit/dashboard', JSON.stringify({ user: c.system.user, password: c.system.password }));
    const handler = stack.handler(
      clusterConfigs([{ name: 'dashboard', servers: [...c.urls], credentialsSecret: 'nats-audit/dashboard', expectServers: 3, audit: { timeoutMs: 2_000 } }]),
    );

    // Act
    const outcome = await handler({ cluster: 'dashboard', scheduledTime: new Date(Date.UTC(2026, 11, 5, 12, 0)).toISOString() }, lambdaContext());

    // Assess: piled leaders are a warning at first sight (critical only once it persists)
    expect(outcome).toMatchObject({ status: 'warning' });
    const lines = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === EPOCH_DONE_MESSAGE && l.cluster === 'dashboard');
    expect(lines).toHaveLength(1);
    const line = lines[0] as unknown as EpochDashboardFields & { status: string };
    expect(line.status).toBe('warning');
    const clusterName = c.name;
    expect([...line.leaders].sort((a, b) => a.server.localeCompare(b.server))).toEqual(
      [...names].sort().map((server) =>
        server === hot
          ? { cluster: clusterName, server, streams: STREAMS, consumers: STREAMS, total: 2 * STREAMS }
          : { cluster: clusterName, server, streams: 0, consumers: 0, total: 0 },
      ),
    );
    expect(line.findingsByCheck).toEqual({ uneven_leader_distribution: 1 });
    expect(line.durationMs).toBeGreaterThan(0);
  });
});
