/**
 * collectPing against one real nats-server (no cluster needed: a single
 * server answers its own PING; RAFTZ is unknown to servers before 2.10.26).
 */
import { join } from 'node:path';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gather } from '../../lib/sampling/gather.js';
import { serverIdOf } from '../../lib/domain/reply-identity.js';
import { collectPing } from '../../lib/sampling/ping.js';
import { answersRaftz } from '../support/server-features.js';
import { useSingleServer } from '../support/single-server.js';

const JSZ_BODY = '{"accounts":true,"streams":true,"consumer":true,"config":true,"raft":true}';
const MAX = 8 * 1024 * 1024;

const server = useSingleServer(
  ({ port, dir }) => `listen: 127.0.0.1:${port}
server_name: single
jetstream { store_dir: "${join(dir, 'js')}" }
accounts {
  SYS: { users: [
    { user: sys, password: syspw }
    { user: nojsz, password: nojszpw, permissions: { publish: { deny: ["$SYS.REQ.SERVER.PING.JSZ"] } } }
  ] }
  APP: { jetstream: enabled, users: [{ user: app, password: apppw }] }
}
system_account: SYS
`,
  { label: 'ping server' },
);

let url: string;
let sys: NatsConnection;
let app: NatsConnection;

beforeAll(async () => {
  url = server().url;
  sys = await connect({ servers: url, user: 'sys', pass: 'syspw', reconnect: false });
  app = await connect({ servers: url, user: 'app', pass: 'apppw', reconnect: false });
  // Enough streams and consumers that JSZ is big enough for gzip to matter.
  const jsm = await app.jetstreamManager();
  for (let i = 0; i < 20; i++) {
    await jsm.streams.add({ name: `S${i}`, subjects: [`s${i}.>`] });
    for (let c = 0; c < 3; c++) {
      await jsm.consumers.add(`S${i}`, { durable_name: `C${c}`, ack_policy: AckPolicy.Explicit });
    }
  }
});

// Registered after useSingleServer, so it runs before the server is killed.
afterAll(async () => {
  await sys?.close();
  await app?.close();
});

describe('collectPing', () => {
  it('collects a gzip JSZ reply, decompressed, and stops once the expected server answered', async () => {
    // Act
    const t = Date.now();
    const req = await collectPing(sys, 'JSZ', JSZ_BODY, { expected: () => 1, deadlineMs: 5000, maxReplyBytes: MAX });
    // Assess
    expect(req).toMatchObject({ endpoint: 'JSZ', subject: '$SYS.REQ.SERVER.PING.JSZ', requestBody: JSZ_BODY, ended: 'all-expected', expected: 1 });
    expect(req.replies).toHaveLength(1);
    const reply = req.replies[0]!;
    expect(reply.decodeError).toBeUndefined();
    const body = JSON.parse(reply.body!) as { server: { id: string }; data: { streams: number } };
    expect(body.server.id).toBe(sys.info?.server_id);
    expect(serverIdOf(reply.body!)).toBe(body.server.id);
    expect(body.data.streams).toBe(20);
    expect(reply.wireBytes).toBeLessThan(reply.body!.length / 3);
    expect(reply.latencyMs).toBeGreaterThan(0);
    expect(reply.latencyMs).toBeLessThanOrEqual(req.durationMs);
    expect(req.sentAt).toBeGreaterThanOrEqual(t);
    expect(reply.receivedAt).toBeGreaterThanOrEqual(req.sentAt);
  });

  it('RAFTZ: a server that serves it answers; an older one ends with no-responders right away (status 503)', async () => {
    // Prepare
    const serves = await answersRaftz(sys);
    // Act
    const req = await collectPing(sys, 'RAFTZ', '{}', { expected: () => 1, deadlineMs: 5000, maxReplyBytes: MAX });
    // Assess
    if (serves) {
      expect(req.ended).toBe('all-expected');
      expect(req.replies).toHaveLength(1);
      expect(serverIdOf(req.replies[0]!.body!)).toBe(sys.info?.server_id);
    } else {
      expect(req.ended).toBe('no-responders');
      expect(req.replies).toEqual([expect.objectContaining({ status: 503, wireBytes: 0 })]);
      expect(req.replies[0]!.body).toBeUndefined();
    }
  });

  it('a user outside the system account gets no-responders for JSZ', async () => {
    const req = await collectPing(app, 'JSZ', JSZ_BODY, { expected: () => 1, deadlineMs: 5000, maxReplyBytes: MAX });
    expect(req.ended).toBe('no-responders');
  });

  it('runs to the deadline when the expected count is unknown', async () => {
    // Act
    const req = await collectPing(sys, 'ROUTEZ', '{}', { expected: () => undefined, deadlineMs: 300, maxReplyBytes: MAX });
    // Assess
    expect(req.ended).toBe('deadline');
    expect(req.expected).toBeUndefined();
    expect(req.replies).toHaveLength(1);
  });

  it('turns an over-cap gzip body into decodeError, still counting the answer', async () => {
    // Act
    const req = await collectPing(sys, 'JSZ', JSZ_BODY, { expected: () => 1, deadlineMs: 5000, maxReplyBytes: 1000 });
    // Assess
    expect(req.ended).toBe('all-expected');
    expect(req.replies[0]!.body).toBeUndefined();
    expect(req.replies[0]!.decodeError).toBe('gzip body inflates beyond the 1000-byte cap');
    expect(req.replies[0]!.wireBytes).toBeGreaterThan(0);
  });

  it('re-checks the expected count when told it changed, without waiting for another reply', async () => {
    // Prepare: expect 2 (never satisfied by one server), then learn it is 1.
    let expected = 2;
    const listeners = new Set<() => void>();
    setTimeout(() => {
      expected = 1;
      listeners.forEach((l) => l());
    }, 200);
    // Act
    const req = await collectPing(sys, 'ROUTEZ', '{}', {
      expected: () => expected,
      onExpectedChange: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      deadlineMs: 5000,
      maxReplyBytes: MAX,
    });
    // Assess
    // Ended by the changed count, not the 5 s deadline, and before any further reply could arrive.
    expect(req.ended).toBe('all-expected');
    expect(req.replies).toHaveLength(1);
    expect(listeners.size).toBe(0);
  });

  it('ends with error and the reason when its signal aborts', async () => {
    // Prepare
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('connection closed')), 100);
    // Act
    const req = await collectPing(sys, 'ROUTEZ', '{}', { expected: () => 5, deadlineMs: 5000, maxReplyBytes: MAX, signal: ac.signal });
    // Assess
    expect(req).toMatchObject({ ended: 'error', error: 'connection closed' });
  });

  it('reports a closed connection as error instead of throwing', async () => {
    // Prepare
    const nc = await connect({ servers: url, user: 'sys', pass: 'syspw', reconnect: false });
    await nc.close();
    // Act
    const req = await collectPing(nc, 'JSZ', JSZ_BODY, { expected: () => 1, deadlineMs: 1000, maxReplyBytes: MAX });
    // Assess
    expect(req.ended).toBe('error');
    expect(req.error).toMatch(/closed/i);
  });

  it('an observer that throws does not lose the reply', async () => {
    const req = await collectPing(sys, 'JSZ', JSZ_BODY, {
      expected: () => 1,
      deadlineMs: 5000,
      maxReplyBytes: MAX,
      onReply: () => {
        throw new Error('observer bug');
      },
    });
    expect(req.ended).toBe('all-expected');
  });
});

describe('gather on one server', () => {
  it('records a denied publish as an error on that request only', async () => {
    // Act
    const sample = await gather({ servers: [url], auth: { user: 'nojsz', password: 'nojszpw' }, expectServers: 1, timeoutMs: 3000 });
    // Assess
    const [v] = sample.vantages;
    const jsz = v?.requests.find((r) => r.endpoint === 'JSZ');
    const routez = v?.requests.find((r) => r.endpoint === 'ROUTEZ');
    expect(jsz).toMatchObject({ ended: 'error', error: 'permissions violation: publish to "$SYS.REQ.SERVER.PING.JSZ"' });
    expect(routez?.ended).toBe('all-expected');
  });

  it('without JetStream clustering and without expectServers, PINGs run to the deadline', async () => {
    // Act
    const sample = await gather({ servers: [url], auth: { user: 'sys', password: 'syspw' }, timeoutMs: 500 });
    // Assess: a single server reports no meta cluster, so nothing says when to stop.
    const [v] = sample.vantages;
    expect(v?.requests.find((r) => r.endpoint === 'JSZ')).toMatchObject({ ended: 'deadline' });
    expect(v?.requests.find((r) => r.endpoint === 'JSZ')?.replies).toHaveLength(1);
  });

  it('stamps wall-clock times from the injected clock', async () => {
    // Prepare
    let t = 1_000_000;
    const now = (): number => (t += 1);
    // Act
    const sample = await gather({ servers: [url], auth: { user: 'sys', password: 'syspw' }, expectServers: 1, timeoutMs: 3000 }, { now });
    // Assess
    expect(sample.startedAt).toBe(1_000_001);
    for (const r of sample.vantages[0]!.requests) {
      expect(r.sentAt).toBeGreaterThan(1_000_001);
      expect(r.sentAt).toBeLessThan(1_000_100);
    }
  });
});

describe('serverIdOf', () => {
  it('reads the id from the leading server block only', () => {
    // Prepare: a tag and a data field that both look like an id.
    const body = '{"server":{"name":"n\\"id\\":\\"x","host":"h","id":"NREAL","tags":["a"]},"data":{"id":"NFAKE"}}';
    // Act / Assess
    expect(serverIdOf(body)).toBe('NREAL');
    expect(serverIdOf('{"data":{"server":{"id":"N"}}}')).toBeUndefined();
    expect(serverIdOf('not json')).toBeUndefined();
  });
});
