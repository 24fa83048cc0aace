/**
 * The scheduled auditor (the handler over dynalite, fauxqs and the Secrets
 * Manager server) while one real 3-node cluster, the network or its own
 * adapters misbehave. Each test audits under its own cluster name, so its
 * state, run records and notices are its own; each leaves the cluster
 * running, meshed and led again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../lib/local-cluster/index.js';
import { SnsNotifier } from '../../lib/notify/sns-notifier.js';
import type { Notification, Notifier } from '../../lib/notify/types.js';
import { SecretReader } from '../../lib/secrets/secret-reader.js';
import type { AuditHandlerDeps, AuditOutcome } from '../../lib/serverless/audit-handler.js';
import { DynamoDbRunLedger } from '../../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore } from '../../lib/state/dynamodb-state-store.js';
import type { RunRecord } from '../../lib/state/run-ledger.js';
import { StateConflictError, type ConsumerCounterStore, type StateStore } from '../../lib/state/state-store.js';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack } from '../support/audit-stack.js';
import { useCluster } from '../support/cluster.js';
import type { ReceivedMessage, SubscribedQueue } from '../support/fauxqs.js';
import { startReplyCutter } from '../support/reply-cutter.js';

/** Gathering deadline per epoch: long enough for a loaded 2-core box, short enough that partitioned epochs stay quick. */
const TIMEOUT_MS = 3_000;
/** Refused at once: nothing listens on port 1. */
const DEAD_URL = 'nats://127.0.0.1:1';

let minute = 0;
/** A new scheduled time per epoch, as the schedule would send one a minute. */
function nextScheduledTime(): string {
  return new Date(Date.UTC(2026, 10, 24, 0, minute++)).toISOString();
}

/** `check:transition:severity` per message, in arrival order. */
function notices(messages: readonly ReceivedMessage[]): string[] {
  return messages.map((m) => `${m.attributes.check}:${m.attributes.transition}:${m.attributes.severity}`);
}

/** The plain-text email body of a notice (fauxqs hands SQS the whole per-protocol JSON). */
function emailText(message: ReceivedMessage): string {
  return (JSON.parse(message.body) as { email: string }).email;
}

/** A server that is not the meta leader, so stopping it leaves the meta group led and the findings about it alone. */
function follower(c: LocalCluster, leader: string, skip: readonly string[] = []): string {
  const name = c.servers.map((s) => s.name).find((n) => n !== leader && !skip.includes(n));
  if (!name) throw new Error(`no follower besides ${leader}`);
  return name;
}

describe('the scheduled auditor under faults, on one real 3-node cluster', () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  let runs: DynamoDbRunLedger;
  beforeAll(async () => {
    stack = await startAuditStack();
    runs = new DynamoDbRunLedger({ client: stack.dynamo.client, tableName: stack.dynamo.tableName });
  });
  afterAll(async () => {
    await stack?.close();
  });
  // Whatever a test did to the cluster, the next one starts from a healthy mesh.
  afterEach(async () => {
    const c = cluster();
    c.heal();
    for (const s of c.servers) if (s.state === 'paused') c.resume(s.name);
    await Promise.all(c.servers.filter((s) => s.state === 'killed').map((s) => c.restart(s.name)));
    await c.waitForRouteMesh();
    await c.waitForMetaLeader();
  }, 60_000);

  /** One fleet entry under `name` with its own secret; every server's URL unless `servers` says otherwise. */
  function auditing(name: string, servers?: readonly string[]) {
    const c = cluster();
    stack.secrets.put(`nats-audit/${name}`, JSON.stringify({ user: c.system.user, password: c.system.password }));
    return clusterConfigs([
      { name, servers: [...(servers ?? c.urls)], credentialsSecret: `nats-audit/${name}`, expectServers: 3, audit: { timeoutMs: TIMEOUT_MS } },
    ]);
  }

  /** The real secret reader, running `action` as the handler fetches credentials: the moment before it starts gathering. */
  function secretsThen(action: () => void): AuditHandlerDeps['secrets'] {
    const reader = new SecretReader({ client: stack.secrets.client });
    let fired = false;
    return {
      read: async (id) => {
        const credentials = await reader.read(id);
        if (!fired) {
          fired = true;
          setTimeout(action, 0);
        }
        return credentials;
      },
      forget: (id) => reader.forget(id),
    };
  }

  async function lastRun(name: string): Promise<RunRecord> {
    const [entry] = await runs.recentRuns(name, 1);
    if (!entry) throw new Error(`no run recorded for ${name}`);
    return entry.record;
  }

  const subjects = (record: RunRecord) => record.findings.map((f) => `${f.check} ${f.subject}`);

  it('a server hung with SIGSTOP while sampling: the epoch ends by its deadline, names it missing, and resolves once resumed', async () => {
    // Prepare
    const c = cluster();
    const hung = follower(c, await c.waitForMetaLeader());
    const queue = await stack.subscribe({ cluster: ['hung'] });
    const config = auditing('hung');
    const epoch = (secrets?: AuditHandlerDeps['secrets']) =>
      stack.handler(config, secrets ? { secrets } : {})({ cluster: 'hung', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Act
    const whileHung = await epoch(secretsThen(() => c.pause(hung)));
    const hungRecord = await lastRun('hung');
    const hungNotices = notices(await queue.drain());
    c.resume(hung);
    await c.waitForMetaLeader();
    const resumed = await epoch();
    const resumedRecord = await lastRun('hung');
    const resumedNotices = notices(await queue.drain());

    // Assess
    expect(c.server(hung).state).toBe('running');
    expect(whileHung).toMatchObject({ status: 'warning' });
    expect(subjects(hungRecord)).toContain(`server_missing server:${hung}`);
    expect(hungNotices.filter((n) => n.startsWith('server_missing:'))).toEqual(['server_missing:new:warning']);
    expect(resumed).toMatchObject({ status: 'ok' });
    expect(subjects(resumedRecord)).toEqual([]);
    expect(resumedNotices.filter((n) => n.startsWith('server_missing:'))).toEqual(['server_missing:resolved:warning']);
  });

  it('a server killed mid-sample and restarted between epochs: missing while down, resolved after, each notice once', async () => {
    // Prepare
    const c = cluster();
    const victim = follower(c, await c.waitForMetaLeader());
    const queue = await stack.subscribe({ cluster: ['killed'] });
    const config = auditing('killed');
    const epoch = (secrets?: AuditHandlerDeps['secrets']) =>
      stack.handler(config, secrets ? { secrets } : {})({ cluster: 'killed', scheduledTime: nextScheduledTime() }, lambdaContext());
    let killed: Promise<void> | undefined;

    // Act: the kill lands as the in-flight invocation starts gathering.
    const inFlight = await epoch(secretsThen(() => (killed = c.kill(victim))));
    await killed;
    const whileDown = await epoch();
    const downRecord = await lastRun('killed');
    await c.restart(victim);
    await c.waitForRouteMesh();
    await c.waitForMetaLeader();
    const restarted = await epoch();
    const restartedRecord = await lastRun('killed');
    const all = notices(await queue.drain());

    // Assess
    expect(inFlight).toMatchObject({ cluster: 'killed', epoch: 1 });
    expect(whileDown).toMatchObject({ status: 'warning', epoch: 2 });
    expect(subjects(downRecord)).toContain(`server_missing server:${victim}`);
    expect(restarted).toMatchObject({ status: 'ok', epoch: 3 });
    expect(subjects(restartedRecord)).toEqual([]);
    const missing = all.filter((n) => n.startsWith('server_missing:'));
    expect(missing[0]).toBe('server_missing:new:warning');
    expect(missing.at(-1)).toBe('server_missing:resolved:warning');
    // became_persistent only when the in-flight epoch already missed it: two epochs in a row.
    expect(missing.length).toBeLessThanOrEqual(3);
    expect(new Set(all).size).toBe(all.length);
  });

  it('an asymmetric partition (A reaches B, B reaches C, A not C): route_missing names A and C, every server still heard', async () => {
    // Prepare: A and C are followers, so the leader B still reaches both and the meta group stays led.
    const c = cluster();
    const b = await c.waitForMetaLeader();
    const a = follower(c, b);
    const cc = follower(c, b, [a]);
    const queue = await stack.subscribe({ cluster: ['asymmetric'] });
    const handler = stack.handler(auditing('asymmetric'));
    const epoch = () => handler({ cluster: 'asymmetric', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Act
    c.cut(a, cc);
    await expect.poll(() => c.peers(a), { timeout: 10_000 }).not.toContain(cc);
    const partitioned = await epoch();
    const partitionedRecord = await lastRun('asymmetric');
    const partitionedMessages = await queue.drain();
    const serversAnswering = stack.epochLines('asymmetric').at(-1)?.servers;
    c.heal();
    await c.waitForRouteMesh();
    const healed = await epoch();
    const healedNotices = notices(await queue.drain());

    // Assess
    expect(partitioned).toMatchObject({ status: 'warning' });
    expect(serversAnswering).toBe(3);
    expect(subjects(partitionedRecord).filter((s) => !s.startsWith('meta_'))).toEqual([`route_missing cluster:${c.name}`]);
    const routeNotice = partitionedMessages.find((m) => m.attributes.check === 'route_missing');
    expect(routeNotice?.attributes.transition).toBe('new');
    const text = emailText(routeNotice!);
    expect(text).toContain(`${a} has none to ${cc}`);
    expect(text).toContain(`${cc} has none to ${a}`);
    expect(text).not.toContain(`${b} has none`);
    expect(healed).toMatchObject({ status: 'ok' });
    expect(healedNotices.filter((n) => n.startsWith('route_missing:'))).toEqual(['route_missing:resolved:warning']);
  });

  it('a dropped connection mid-reply: the epoch ends by its deadline on the other servers’ data, for a stall and a reset alike', async () => {
    // Prepare: the third server reached only through a proxy that breaks the first reply on each connection.
    const c = cluster();
    await c.waitForMetaLeader();
    const last = c.servers[2]!;
    const stall = await startReplyCutter(last.clientPort, 'stall');
    const reset = await startReplyCutter(last.clientPort, 'reset');
    const queue = await stack.subscribe({ cluster: ['mid-reply-stall', 'mid-reply-reset'] });
    const via = (port: number) => [c.urls[0]!, c.urls[1]!, `nats://127.0.0.1:${port}`];
    try {
      // Act
      const stalled = await stack.handler(auditing('mid-reply-stall', via(stall.port)))({ cluster: 'mid-reply-stall', scheduledTime: nextScheduledTime() }, lambdaContext());
      const stalledRecord = await lastRun('mid-reply-stall');
      const wasReset = await stack.handler(auditing('mid-reply-reset', via(reset.port)))({ cluster: 'mid-reply-reset', scheduledTime: nextScheduledTime() }, lambdaContext());
      const resetRecord = await lastRun('mid-reply-reset');
      const messages = await queue.drain();

      // Assess
      expect(stall.cuts).toBeGreaterThan(0);
      expect(reset.cuts).toBeGreaterThan(0);
      for (const [run, record, port] of [
        [stalled, stalledRecord, stall.port],
        [wasReset, resetRecord, reset.port],
      ] as const) {
        expect(run).toMatchObject({ status: 'warning', epoch: 1 });
        // The broken vantage is named; its server still answered through the other two, so nothing is missing.
        expect(subjects(record)).toContain(`vantage_failed vantage:nats://127.0.0.1:${port}`);
        expect(record.findings.every((f) => f.subject.includes(`127.0.0.1:${port}`))).toBe(true);
      }
      // One fault, one finding: a reset fails every request open on that connection, and
      // that is said once, with its cause and the requests it took, never as a bad reply
      // per endpoint from a server that sent nothing wrong.
      expect(subjects(stalledRecord)).toEqual([`vantage_failed vantage:nats://127.0.0.1:${stall.port}`]);
      expect(subjects(resetRecord)).toEqual([`vantage_failed vantage:nats://127.0.0.1:${reset.port}`]);
      const resetNotice = messages.find((m) => m.attributes.cluster === 'mid-reply-reset');
      expect(emailText(resetNotice!)).toMatch(/; it took JSZ.* with it;/);
      expect(emailText(resetNotice!)).not.toMatch(/server version/i);
      const servers = ['mid-reply-stall', 'mid-reply-reset'].flatMap((name) => stack.epochLines(name).map((m) => m.servers));
      expect(servers).toEqual([3, 3]);
      const sent = messages.map((m) => `${m.attributes.cluster} ${notices([m])[0]}`);
      expect(sent.filter((n) => n.startsWith('mid-reply-stall '))).toEqual(['mid-reply-stall vantage_failed:new:warning']);
      expect(sent.filter((n) => n.startsWith('mid-reply-reset '))).toEqual(['mid-reply-reset vantage_failed:new:warning']);
      expect(sent.every((n) => n.endsWith(':new:warning'))).toBe(true);
    } finally {
      await Promise.all([stall.close(), reset.close()]);
    }
  });

  it('a state save losing a revision race after publishing: no failed invocation, no retry, nothing announced twice', async () => {
    // Prepare: the first save finds that another epoch saved the same judgement first.
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['conflict'] });
    const dynamo = new DynamoDbStateStore({ client: stack.dynamo.client, tableName: stack.dynamo.tableName });
    let raced = false;
    const store: StateStore & ConsumerCounterStore = {
      load: (key) => dynamo.load(key),
      loadConsumerCounters: (key) => dynamo.loadConsumerCounters(key),
      saveConsumerCounters: (key, counters) => dynamo.saveConsumerCounters(key, counters),
      async save(key, state) {
        await dynamo.save(key, state);
        if (raced) return;
        raced = true;
        throw new StateConflictError(key, state.revision - 1, state.revision);
      },
    };
    // A dead URL beside the live ones: a vantage_failed warning to announce.
    const handler = stack.handler(auditing('conflict', [...c.urls, DEAD_URL]), { store });
    const first = nextScheduledTime();

    // Act
    const lost = await handler({ cluster: 'conflict', scheduledTime: first }, lambdaContext()).catch((e: unknown) => e);
    // The scheduler retries an invocation that failed; one that succeeded is only ever duplicated.
    const retry = await handler({ cluster: 'conflict', scheduledTime: first }, lambdaContext());
    const firstNotices = notices(await queue.drain());
    const next = await handler({ cluster: 'conflict', scheduledTime: nextScheduledTime() }, lambdaContext());
    const nextNotices = notices(await queue.drain());

    // Assess
    expect(lost).toMatchObject({ status: 'warning', epoch: 1, notified: 1 });
    expect(retry).toMatchObject({ status: 'skipped', reason: 'duplicate' });
    expect(firstNotices).toEqual(['vantage_failed:new:warning']);
    expect(stack.epochLines('conflict').map((m) => m.failed)).toEqual([false, false]);
    const done = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.cluster === 'conflict' && l.message === 'epoch done');
    expect(JSON.stringify(done)).toContain("state for conflict changed while this epoch ran (expected revision 0, found 1); this epoch's notifications were sent");
    // The other epoch's state stands, so the next one continues from it.
    expect(next).toMatchObject({ status: 'warning', epoch: 2 });
    expect(nextNotices).toEqual(['vantage_failed:became_persistent:warning']);
    expect((await dynamo.load('conflict')).state.revision).toBe(2);
  });

  it('a slow notifier: the epoch completes, and an overlapping invocation for the cluster is held off by the lease', async () => {
    // Prepare
    const c = cluster();
    const queue = await stack.subscribe({ cluster: ['slow-sns'] });
    const client = stack.sns.newSnsClient();
    const sns = new SnsNotifier({ client, topicArn: stack.topicArn });
    let publishing!: () => void;
    const inPublish = new Promise<void>((resolve) => (publishing = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // SNS held until the overlapping invocation has come and gone: a condition, not a guess at how long it takes.
    const slow: Notifier = {
      async publish(notifications: readonly Notification[]) {
        publishing();
        await released;
        await sns.publish(notifications);
      },
    };
    const config = auditing('slow-sns', [...c.urls, DEAD_URL]);
    // Two containers: separate handler instances sharing only DynamoDB and SNS.
    const first = stack.handler(config, { notifier: slow });
    const second = stack.handler(config);
    const overlapping = nextScheduledTime();

    try {
      // Act
      const slowRun = first({ cluster: 'slow-sns', scheduledTime: nextScheduledTime() }, lambdaContext());
      await inPublish;
      const held = await second({ cluster: 'slow-sns', scheduledTime: overlapping }, lambdaContext());
      release();
      const outcome = await slowRun;
      const duringSlow = notices(await queue.drain());
      // The scheduler's retry of the held-off time, once the lease is free.
      const retried = await second({ cluster: 'slow-sns', scheduledTime: overlapping }, lambdaContext());

      // Assess
      expect(held).toMatchObject({ status: 'skipped', reason: 'overlap' });
      expect(outcome).toMatchObject({ status: 'warning', epoch: 1, notified: 1 });
      expect(duringSlow).toEqual(['vantage_failed:new:warning']);
      expect(retried).toMatchObject({ status: 'warning', epoch: 2 });
    } finally {
      release();
      client.destroy();
    }
  });

  it('the whole cluster down: cluster_unreachable announced once (then once as persistent), resolved once after restart', async () => {
    // Prepare
    const c = cluster();
    await c.waitForMetaLeader();
    const queue = await stack.subscribe({ cluster: ['all-down'] });
    const handler = stack.handler(auditing('all-down'));
    const epoch = () => handler({ cluster: 'all-down', scheduledTime: nextScheduledTime() }, lambdaContext());

    // Act
    await Promise.all(c.servers.map((s) => c.kill(s.name)));
    const down: AuditOutcome[] = [];
    for (let i = 0; i < 3; i++) down.push(await epoch());
    const downNotices = notices(await queue.drain());
    await Promise.all(c.servers.map((s) => c.restart(s.name)));
    await c.waitForRouteMesh();
    await c.waitForMetaLeader();
    const back = await epoch();
    const backNotices = notices(await queue.drain());

    // Assess
    expect(down.map((o) => 'status' in o && o.status)).toEqual(['critical', 'critical', 'critical']);
    expect(subjects(await runs.recentRuns('all-down', 2).then((r) => r[1]!.record))).toEqual(['cluster_unreachable cluster']);
    expect(downNotices).toEqual(['cluster_unreachable:new:critical', 'cluster_unreachable:became_persistent:critical']);
    expect(back).toMatchObject({ status: 'ok', epoch: 4 });
    expect(backNotices).toEqual(['cluster_unreachable:resolved:critical']);
  });
});
