import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIRM_DELAY_MS } from '../../lib/epoch/confirmation.js';
import { AFTER_SAMPLING_RESERVE_MS } from '../../lib/serverless/invocation-reserve.js';
import { DynamoDbStateStore } from '../../lib/state/dynamodb-state-store.js';
import { DynamoDbRunLedger } from '../../lib/state/dynamodb-run-ledger.js';
import { HEALED_META_TIMEOUT_MS, HEALING_TEST_TIMEOUT_MS, useCluster } from '../support/cluster.js';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack } from '../support/audit-stack.js';
import { unreachableDynamoDbClient } from '../support/dynalite.js';
import type { ReceivedMessage } from '../support/fauxqs.js';

/** Election timeout is 4-9 s and an isolated leader holds its claim ~14 s more. */
const PARTITION_BUDGET_MS = 60_000;
/** Each cluster's gather deadline (audit.timeoutMs). */
const TIMEOUT_MS = 2_000;
/** Refused at once: nothing listens on port 1. */
const DEAD_URL = 'nats://127.0.0.1:1';

let minute = 0;
/** A new scheduled time per epoch, as the schedule would send one a minute. */
function nextScheduledTime(): string {
  return new Date(Date.UTC(2026, 10, 23, 0, minute++)).toISOString();
}

function transitions(messages: readonly ReceivedMessage[]): string[] {
  return messages.map((m) => `${m.attributes.transition}:${m.attributes.severity}`);
}

describe('scheduled audit handler on a real cluster with DynamoDB and SNS protocol servers', () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  beforeAll(async () => {
    stack = await startAuditStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  function liveCluster(name: string, extra: { servers?: string[]; secret?: string } = {}) {
    const c = cluster();
    const secret = extra.secret ?? `nats-audit/${name}`;
    if (!extra.secret) stack.secrets.put(secret, JSON.stringify({ user: c.system.user, password: c.system.password }));
    return clusterConfigs([
      { name, servers: extra.servers ?? [...c.urls], credentialsSecret: secret, expectServers: 3, audit: { timeoutMs: TIMEOUT_MS } },
    ]);
  }

  it('a healthy cluster publishes nothing, records the run and logs its one line', async () => {
    // Prepare
    const queue = await stack.subscribe({ cluster: ['healthy'] });
    await cluster().waitForMetaLeader();
    const handler = stack.handler(liveCluster('healthy'));
    const scheduledTime = nextScheduledTime();

    // Act
    const outcome = await handler({ cluster: 'healthy', scheduledTime }, lambdaContext());

    // Assess
    expect(outcome).toMatchObject({ status: 'ok', epoch: 1, notified: 0 });
    expect(await queue.drain()).toEqual([]);
    const runs = await new DynamoDbRunLedger({ client: stack.dynamo.client, tableName: stack.dynamo.tableName }).recentRuns('healthy', 5);
    expect(runs.map((r) => [r.scheduledTime, r.record.status])).toEqual([[scheduledTime, 'ok']]);
    expect(stack.epochLines('healthy')).toEqual([expect.objectContaining({ message: 'epoch done', status: 'ok', servers: 3, failed: false, counts: { critical: 0, warning: 0, resolved: 0 } })]);
    expect(JSON.stringify(stack.logs)).not.toContain(cluster().system.password);
  });

  it('an isolated meta leader: announced when new, again when persistent, once resolved; never every epoch', async () => {
    // Prepare
    const c = cluster();
    const all = await stack.subscribe({ cluster: ['partition'], check: ['meta_leader_disagreement'] });
    const critical = await stack.subscribe({ cluster: ['partition'], severity: ['critical'] });
    const handler = stack.handler(liveCluster('partition'));
    const epoch = () => handler({ cluster: 'partition', scheduledTime: nextScheduledTime() }, lambdaContext());
    await epoch();
    const leader = await c.waitForMetaLeader();

    // Act
    c.isolate(leader);
    let epochs = 0;
    const received: ReceivedMessage[] = [];
    const deadline = Date.now() + PARTITION_BUDGET_MS;
    let persistentCritical = false;
    while (!persistentCritical && Date.now() < deadline) {
      await epoch();
      epochs++;
      received.push(...(await all.drain()));
      persistentCritical = received.some((m) => m.attributes.transition === 'became_persistent' && m.attributes.severity === 'critical');
    }
    // A few more epochs while it lasts: none of them may publish again.
    for (let i = 0; i < 3; i++) await epoch();
    // One with less time left than a confirming resample needs (its delay and a whole gather, before the reserve).
    await handler({ cluster: 'partition', scheduledTime: nextScheduledTime() }, lambdaContext(AFTER_SAMPLING_RESERVE_MS + DEFAULT_CONFIRM_DELAY_MS + TIMEOUT_MS - 1));
    received.push(...(await all.drain()));
    const whilePartitioned = received.length;
    c.heal();
    await c.waitForMetaLeader({ timeoutMs: HEALED_META_TIMEOUT_MS });
    await epoch();
    received.push(...(await all.drain()));

    // Assess
    expect(persistentCritical).toBe(true);
    const seen = transitions(received);
    expect(seen[0]).toMatch(/^new:(warning|critical)$/);
    expect(seen.filter((t) => t === 'became_persistent:critical')).toHaveLength(1);
    expect(seen.at(-1)).toMatch(/^resolved:/);
    expect(seen.filter((t) => t.startsWith('resolved'))).toHaveLength(1);
    // One notice per change: never more than new, raised, persistent while it lasted.
    expect(whilePartitioned).toBeLessThanOrEqual(3);
    expect(whilePartitioned).toBeLessThan(epochs + 3);
    const pages = await critical.drain();
    expect(pages.every((m) => m.attributes.severity === 'critical')).toBe(true);
    expect(pages.some((m) => m.attributes.check === 'meta_leader_disagreement')).toBe(true);
    // Partitioned epochs that saw signs (the first may not yet) confirmed them by sampling again;
    // the one short of time judged its first sample and says so.
    type Logged = { resamples: number; outOfTime?: true } | undefined;
    const partitioned = stack.epochLines('partition').slice(1, 1 + epochs + 4).map((l) => l.confirmation as Logged);
    const confirmed = partitioned.slice(0, -1).filter((c) => c !== undefined);
    expect(confirmed.length).toBeGreaterThanOrEqual(4);
    expect(confirmed.every((c) => c.resamples >= 1 && c.outOfTime === undefined)).toBe(true);
    expect(partitioned.at(-1)).toMatchObject({ resamples: 0, outOfTime: true });
  }, HEALING_TEST_TIMEOUT_MS);

  it('10 concurrent invocations for one scheduled time publish exactly one notification', async () => {
    // Prepare: a dead URL beside the live ones gives a new vantage_failed warning to announce.
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['concurrent'] });
    const handler = stack.handler(liveCluster('concurrent', { servers: [...c.urls, DEAD_URL] }));
    const scheduledTime = nextScheduledTime();

    // Act
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => handler({ cluster: 'concurrent', scheduledTime }, lambdaContext())));
    const retried = await handler({ cluster: 'concurrent', scheduledTime }, lambdaContext());

    // Assess
    const messages = await queue.drain();
    expect(transitions(messages)).toEqual(['new:warning']);
    expect(messages[0]!.attributes.check).toBe('vantage_failed');
    expect(outcomes.filter((o) => o.status !== 'skipped')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'skipped')).toHaveLength(9);
    expect(retried).toMatchObject({ status: 'skipped', reason: 'duplicate' });
  });

  it('SNS down: the invocation fails, state does not advance, and the next epoch delivers', async () => {
    // Prepare
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['sns-down'] });
    const handler = stack.handler(liveCluster('sns-down', { servers: [...c.urls, DEAD_URL] }));
    const store = new DynamoDbStateStore({ client: stack.dynamo.client, tableName: stack.dynamo.tableName });

    // Act
    stack.snsLink.cut();
    let failure: unknown;
    try {
      await handler({ cluster: 'sns-down', scheduledTime: nextScheduledTime() }, lambdaContext());
    } catch (error) {
      failure = error;
    } finally {
      stack.snsLink.heal();
    }
    const stateAfterFailure = (await store.load('sns-down')).state;
    const next = await handler({ cluster: 'sns-down', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(stateAfterFailure.revision).toBe(0);
    expect(stack.epochLines('sns-down')[0]).toMatchObject({ failed: true });
    expect(next).toMatchObject({ status: 'warning', epoch: 1, notified: 1 });
    expect(transitions(await queue.drain())).toEqual(['new:warning']);
  });

  it('DynamoDB unreachable: findings are still published, marked persistence unknown', async () => {
    // Prepare
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['no-dynamo'] });
    const dead = await unreachableDynamoDbClient();
    const handler = stack.handler(liveCluster('no-dynamo', { servers: [...c.urls, DEAD_URL] }), {
      store: new DynamoDbStateStore({ client: dead, tableName: 'gone' }),
      ledger: new DynamoDbRunLedger({ client: dead, tableName: 'gone' }),
    });

    // Act
    const outcome = await handler({ cluster: 'no-dynamo', scheduledTime: nextScheduledTime() }, lambdaContext());
    dead.destroy();

    // Assess
    expect(outcome).toMatchObject({ status: 'warning' });
    const messages = await queue.drain();
    expect(transitions(messages)).toEqual(['persistence_unknown:warning']);
    expect(stack.logs.some((l) => l.includes('"cluster":"no-dynamo"') && l.includes('lease unavailable'))).toBe(true);
  });

  it('NATS unreachable: a critical cluster_unreachable finding', async () => {
    // Prepare
    stack.secrets.put('nats-audit/dark', JSON.stringify({ user: 'sys', password: 'whatever' }));
    const queue = await stack.subscribe({ cluster: ['dark'] });
    const handler = stack.handler(
      clusterConfigs([{ name: 'dark', servers: [DEAD_URL], credentialsSecret: 'nats-audit/dark', audit: { timeoutMs: 1_000 } }]),
    );

    // Act
    const outcome = await handler({ cluster: 'dark', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Assess
    expect(outcome).toMatchObject({ status: 'critical' });
    const messages = await queue.drain();
    expect(messages.map((m) => [m.attributes.check, m.attributes.severity, m.attributes.transition])).toEqual([
      ['cluster_unreachable', 'critical', 'new'],
    ]);
  });

  it('a bad secret: an audit_failed finding announced like any other, a failed epoch logged, resolved once fixed', async () => {
    // Prepare
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['bad-secret'] });
    stack.secrets.put('nats-audit/bad-secret', JSON.stringify({ user: c.system.user, pasword: c.system.password }));
    const handler = stack.handler(liveCluster('bad-secret', { secret: 'nats-audit/bad-secret' }));
    const epoch = () => handler({ cluster: 'bad-secret', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Act
    const first = await epoch().catch((e: unknown) => e);
    const second = await epoch().catch((e: unknown) => e);
    await epoch().catch((e: unknown) => e);
    const failedMessages = await queue.drain();
    stack.secrets.put('nats-audit/bad-secret', JSON.stringify({ user: c.system.user, password: c.system.password }));
    // The reader forgot the unusable secret, so the fix is read at once.
    const fixed = await epoch();

    // Assess
    expect((first as Error).message).toMatch(/^bad-secret: The system account credentials cannot be used: credentials secret nats-audit\/bad-secret: /);
    expect(second).toBeInstanceOf(Error);
    expect(failedMessages.map((m) => [m.attributes.check, m.attributes.transition, m.attributes.severity])).toEqual([
      ['audit_failed', 'new', 'critical'],
      ['audit_failed', 'became_persistent', 'critical'],
    ]);
    expect(stack.epochLines('bad-secret').map((m) => m.failed)).toEqual([true, true, true, false]);
    expect(fixed).toMatchObject({ status: 'ok' });
    expect(transitions(await queue.drain())).toEqual(['resolved:critical']);
    const everything = JSON.stringify([stack.logs, failedMessages]);
    expect(everything).not.toContain(c.system.password);
  });

  it('refused credentials: audit_failed for authorization, never leaking the password', async () => {
    // Prepare
    const queue = await stack.subscribe({ cluster: ['refused'] });
    stack.secrets.put('nats-audit/refused', JSON.stringify({ user: 'sys', password: 'Wr0ng-but-secret' }));
    const handler = stack.handler(liveCluster('refused', { secret: 'nats-audit/refused' }));

    // Act
    const error = await handler({ cluster: 'refused', scheduledTime: nextScheduledTime() }, lambdaContext()).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toContain('authorization refused');
    const messages = await queue.drain();
    expect(messages.map((m) => [m.attributes.check, m.attributes.transition])).toEqual([['audit_failed', 'new']]);
    expect(JSON.stringify([stack.logs, messages])).not.toContain('Wr0ng-but-secret');
  });

  it('rejects a malformed event naming the field, and an unknown cluster as an audit_failed finding', async () => {
    // Prepare
    const handler = stack.handler(liveCluster('events'));
    const queue = await stack.subscribe({ cluster: ['nobody'] });

    // Act
    const malformed = await handler({ cluster: 'events', scheduledTime: 'yesterday' }, lambdaContext()).catch((e: unknown) => e);
    const unknown = await handler({ cluster: 'nobody', scheduledTime: nextScheduledTime() }, lambdaContext()).catch((e: unknown) => e);

    // Assess
    expect((malformed as Error).message).toBe('event.scheduledTime: must be an ISO 8601 time such as 2026-11-23T16:40:00Z');
    expect((unknown as Error).message).toContain('this function audits no cluster named nobody');
    const messages = await queue.drain();
    expect(messages.map((m) => [m.attributes.check, m.attributes.severity])).toEqual([['audit_failed', 'critical']]);
    const item = await stack.dynamo.client.send(
      new GetItemCommand({ TableName: stack.dynamo.tableName, Key: { pk: { S: 'cluster#nobody' }, sk: { S: 'state' } } }),
    );
    expect(item.Item).toBeDefined();
  });
});
