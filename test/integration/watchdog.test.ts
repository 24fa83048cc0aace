/**
 * The environment's watchdog against the run ledger in DynamoDB (dynalite)
 * and the health topic in SNS (fauxqs), with the real audit handler writing
 * the runs it judges: a cluster that stops being invoked, and one whose
 * audit fails, are each reported by name, once, and again when they recover.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWatchdog } from '../../lib/serverless/watchdog.js';
import { jsonLogger } from '../../lib/serverless/log.js';
import { DynamoDbRunLedger } from '../../lib/state/dynamodb-run-ledger.js';
import { DynamoDbWatchdogMemory } from '../../lib/state/dynamodb-watchdog-memory.js';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack } from '../support/audit-stack.js';
import { useCluster } from '../support/cluster.js';
import type { SubscribedQueue } from '../support/fauxqs.js';

/** Long enough for fauxqs to fan a publish out to its queues. */
const MINUTE = 60_000;

describe('environment watchdog over the run ledger, with DynamoDB and SNS protocol servers', () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  let health: SubscribedQueue;
  let healthTopicArn: string;
  beforeAll(async () => {
    stack = await startAuditStack();
    healthTopicArn = await stack.sns.createTopic('nats-audit-health');
    health = await stack.sns.subscribeQueue(healthTopicArn, undefined, { raw: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('names a cluster that stops being invoked and one whose audit fails, once each, then their recovery', async () => {
    // Prepare: three clusters of one environment on one real cluster, a clock the test moves.
    const c = cluster();
    await c.waitForMetaLeader();
    stack.secrets.put('nats-audit/wd', JSON.stringify({ user: c.system.user, password: c.system.password }));
    stack.secrets.put('nats-audit/wd-broken', JSON.stringify({ user: c.system.user, pasword: 'typo' }));
    const entry = (name: string, secret: string) => ({ name, servers: [...c.urls], credentialsSecret: secret, expectServers: 3, audit: { timeoutMs: 2_000 } });
    const configs = clusterConfigs([entry('wd-steady', 'nats-audit/wd'), entry('wd-stopped', 'nats-audit/wd'), entry('wd-broken', 'nats-audit/wd-broken')]);
    const environment = configs[0]!.environment;
    let clock = Date.UTC(2026, 10, 23, 9, 0);
    const now = () => clock;
    const audit = stack.handler(configs, { now });
    const run = (name: string) => audit({ cluster: name, scheduledTime: new Date(clock).toISOString() }, lambdaContext()).catch((e: unknown) => e);
    const metrics: Record<string, unknown>[] = [];
    const watchdog = createWatchdog({
      environment,
      clusters: new Map(configs.map((k) => [k.name, k])),
      ledger: new DynamoDbRunLedger({ client: stack.dynamo.client, tableName: stack.dynamo.tableName }),
      memory: new DynamoDbWatchdogMemory({ client: stack.dynamo.client, tableName: stack.dynamo.tableName }),
      publish: async (notice) => {
        await stack.sns.sns.send(new PublishCommand({ TopicArn: healthTopicArn, Subject: notice.subject, Message: notice.message }));
      },
      logger: jsonLogger((line) => stack.logs.push(line)),
      metrics: (line) => metrics.push(JSON.parse(line) as Record<string, unknown>),
      now,
    });
    const judge = () => watchdog({ watchdog: environment, scheduledTime: new Date(clock).toISOString() });

    // Act 1: every cluster runs once; the broken one fails.
    for (const name of ['wd-steady', 'wd-stopped', 'wd-broken']) await run(name);
    const first = await judge();
    const firstNotices = await health.drain();

    // Act 2: two minutes on, wd-stopped is no longer invoked; nothing new to say.
    clock += 2 * MINUTE;
    for (const name of ['wd-steady', 'wd-broken']) await run(name);
    const second = await judge();
    const secondNotices = await health.drain();

    // Act 3: four minutes after its last run, past its three-minute window.
    clock += 2 * MINUTE;
    await run('wd-steady');
    const third = await judge();
    const thirdNotices = await health.drain();

    // Act 4: its schedule fires again and the secret is fixed.
    clock += MINUTE;
    stack.secrets.put('nats-audit/wd-broken', JSON.stringify({ user: c.system.user, password: c.system.password }));
    for (const name of ['wd-steady', 'wd-stopped', 'wd-broken']) await run(name);
    const fourth = await judge();
    const fourthNotices = await health.drain();

    // Assess
    expect(first).toMatchObject({ stale: [], failing: ['wd-broken'], notified: true });
    expect(firstNotices).toHaveLength(1);
    expect(firstNotices[0]!.body).toMatch(/Failing \(.*\):\n- wd-broken: the run scheduled 2026-11-23T09:00:00.000Z failed: The system account credentials cannot be used/);
    expect(second).toMatchObject({ stale: [], failing: ['wd-broken'], notified: false });
    expect(secondNotices).toEqual([]);
    expect(third).toMatchObject({ stale: ['wd-stopped'], failing: ['wd-broken'], notified: true });
    expect(thirdNotices).toHaveLength(1);
    expect(thirdNotices[0]!.body).toContain('- wd-stopped: no run recorded for 4 minutes (window 3 minutes); the last, scheduled 2026-11-23T09:00:00.000Z, was ok');
    expect(thirdNotices[0]!.body).toContain('- wd-broken: ');
    expect(thirdNotices[0]!.body).not.toContain('wd-steady');
    expect(fourth).toMatchObject({ stale: [], failing: [], notified: true });
    expect(fourthNotices.map((m) => m.body)).toEqual([expect.stringMatching(/Audited normally again:\n- wd-stopped\n- wd-broken\n/)]);
    expect(metrics.map((m) => [m.Environment, m.StaleClusters, m.FailingClusters])).toEqual([
      [environment, 0, 1],
      [environment, 0, 1],
      [environment, 1, 1],
      [environment, 0, 0],
    ]);
    expect(JSON.stringify([stack.logs, firstNotices, thirdNotices])).not.toContain(c.system.password);
  });

  it('does not call a cluster stale before its schedule could have fired, and judges it from when it was first seen', async () => {
    // Prepare: a cluster deployed but never run.
    const [config] = clusterConfigs([{ name: 'wd-new', servers: ['nats://127.0.0.1:1'], credentialsSecret: 'nats-audit/none' }]);
    let clock = Date.UTC(2026, 10, 24, 9, 0);
    const metrics: Record<string, unknown>[] = [];
    const watchdog = createWatchdog({
      environment: config!.environment,
      clusters: new Map([[config!.name, config!]]),
      ledger: new DynamoDbRunLedger({ client: stack.dynamo.client, tableName: stack.dynamo.tableName }),
      memory: new DynamoDbWatchdogMemory({ client: stack.dynamo.client, tableName: `${stack.dynamo.tableName}` }),
      publish: async (notice) => {
        await stack.sns.sns.send(new PublishCommand({ TopicArn: healthTopicArn, Subject: notice.subject, Message: notice.message }));
      },
      logger: jsonLogger((line) => stack.logs.push(line)),
      metrics: (line) => metrics.push(JSON.parse(line) as Record<string, unknown>),
      now: () => clock,
    });
    const judge = () => watchdog({ watchdog: config!.environment, scheduledTime: new Date(clock).toISOString() });

    // Act
    const atDeploy = await judge();
    clock += 2 * MINUTE;
    const soon = await judge();
    clock += 2 * MINUTE;
    const late = await judge();
    const notices = await health.drain();

    // Assess
    expect([atDeploy.stale, soon.stale, late.stale]).toEqual([[], [], ['wd-new']]);
    expect(notices.map((m) => m.body)).toEqual([expect.stringContaining('- wd-new: no run recorded in the 4 minutes since the watchdog first saw it (window 3 minutes)')]);
  });
});
