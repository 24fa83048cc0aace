/**
 * gather() against a real 3-node nats-server cluster on loopback (whichever
 * version NATS_SERVER_BIN names; what differs is detected from the servers).
 * Tests run in order and share one cluster; each one that partitions or
 * pauses a server heals it before the next starts.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicatedStreams, freePort, startLocalCluster, type LocalCluster } from '../../lib/local-cluster/index.js';
import { defaultRegistry } from '../../lib/checks/index.js';
import { gatherForEpoch } from '../../lib/epoch/gather-cluster.js';
import { gather, type GatherConfig, type GatherProgressEvent } from '../../lib/sampling/gather.js';
import type { RawRequest, RawSample, RawVantage } from '../../lib/domain/raw-sample.js';
import { readSampleFile, SampleFileError, writeSampleFile } from '../../lib/sampling/sample-file.js';
import { wasDecoded } from '../../lib/domain/decode-reply.js';
import { observe } from '../../lib/observation/observe.js';
import { pauseAndWait } from '../support/process-state.js';
import { answersRaftz, countsOwnLeaders } from '../support/server-features.js';

/** Generous against a loaded 2-core CI box; "all answered" takes tens of ms here. */
const TIMEOUT_MS = 10_000;
/** For tests that must run to the deadline: short, so the suite stays quick. */
const SHORT_TIMEOUT_MS = 3_000;

let cluster: LocalCluster;
let app: NatsConnection;
let dir: string;
/** The servers serve RAFTZ (2.10.26+); older ones leave it without responders. */
let raftz: boolean;
/** The servers count their own leaders (2.11.11+), so the default gather asks only flagged servers for detail. */
let counting: boolean;

beforeAll(async () => {
  cluster = await startLocalCluster({ size: 3 });
  await cluster.waitForMetaLeader();
  app = await cluster.connect({ as: 'app' });
  await createReplicatedStreams(app, { count: 12, replicas: 3, consumersPerStream: 3 });
  dir = await mkdtemp(join(tmpdir(), 'nats-audit-gather-'));
  const sys = await cluster.connect({ as: 'system' });
  try {
    raftz = await answersRaftz(sys);
    counting = await countsOwnLeaders(sys, 3);
  } finally {
    await sys.close();
  }
}, 90_000);

afterAll(async () => {
  await app?.close();
  await cluster?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function config(overrides: Partial<GatherConfig> = {}): GatherConfig {
  return { servers: cluster.urls, auth: cluster.system, timeoutMs: TIMEOUT_MS, ...overrides };
}

const PING_JSZ = '$SYS.REQ.SERVER.PING.JSZ';

/** The endpoint's PING (for JSZ, the summary every vantage sends). */
function request(v: RawVantage | undefined, endpoint: RawRequest['endpoint']): RawRequest {
  const r = v?.requests.find((q) => q.endpoint === endpoint);
  if (!r) throw new Error(`no ${endpoint} request in vantage ${v?.url}`);
  return r;
}

/** Server names that answered, from the reply bodies. */
function answeredBy(r: RawRequest): string[] {
  return r.replies
    .filter((x) => x.body !== undefined)
    .map((x) => (JSON.parse(x.body!) as { server: { name: string } }).server.name)
    .sort();
}

function vantageOf(sample: RawSample, name: string): RawVantage {
  const v = sample.vantages.find((x) => x.url === cluster.server(name).clientUrl);
  if (!v) throw new Error(`no vantage for ${name}`);
  return v;
}

/**
 * Agreeing on a meta leader does not mean every route is back: n1 and n3 can
 * agree through n2 while their own route still waits to redial. Poll until
 * every server hears every other on ROUTEZ.
 */
async function waitForFullMesh(timeoutMs = 20_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const sample = await gather(config({ endpoints: ['ROUTEZ'], expectServers: 3, timeoutMs: 1000 }));
    if (sample.vantages.every((v) => v.requests[0]?.ended === 'all-expected')) return;
    if (performance.now() > until) throw new Error('route mesh did not heal');
  }
}

/**
 * Client sockets this process opens while `fn` runs (node's
 * `net.client.socket` diagnostics channel sees every `net.connect`).
 */
async function withClientSockets<T>(fn: () => Promise<T>): Promise<{ result: T; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const onSocket = (message: unknown): void => {
    sockets.push((message as { socket: Socket }).socket);
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    return { result: await fn(), sockets };
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
}

/** Streams and consumers a JSZ detail reply describes, and how many of them carry their configuration. */
function configsIn(body: string): { details: number; configs: number } {
  type Detail = { config?: unknown; consumer_detail?: Detail[] | null };
  const data = (JSON.parse(body) as { data: { account_details?: { stream_detail?: Detail[] | null }[] } }).data;
  const details = (data.account_details ?? []).flatMap((a) => a.stream_detail ?? []).flatMap((s) => [s, ...(s.consumer_detail ?? [])]);
  expect(details.length).toBeGreaterThan(0);
  return { details: details.length, configs: details.filter((d) => d.config !== undefined).length };
}

describe('gather on a healthy cluster', () => {
  let sample: RawSample;

  beforeAll(async () => {
    sample = await gather(config());
  });

  it('connects one vantage per URL, each landing on the server its URL names', () => {
    expect(sample.vantages.map((v) => [v.url, v.connected, v.serverName])).toEqual(
      cluster.servers.map((s) => [s.clientUrl, true, s.name]),
    );
    for (const v of sample.vantages) {
      expect(v.error).toBeUndefined();
      expect(v.serverId).toMatch(/^N[A-Z0-9]{55}$/);
      expect(v.connectMs).toBeGreaterThan(0);
    }
  });

  it('every vantage hears all three servers on JSZ and ROUTEZ, and stops as soon as they answered', () => {
    for (const v of sample.vantages) {
      for (const ep of ['JSZ', 'ROUTEZ'] as const) {
        const r = request(v, ep);
        expect(r.ended, `${v.serverName} ${ep}`).toBe('all-expected');
        expect(r.expected).toBe(3);
        expect(answeredBy(r)).toEqual(['n1', 'n2', 'n3']);
      }
    }
  });

  it('JSZ replies arrive gzipped, but for the detail a loopback vantage\'s own server sends', () => {
    for (const v of sample.vantages) {
      for (const r of v.requests.filter((q) => q.endpoint === 'JSZ')) {
        for (const reply of r.replies) {
          expect(reply.decodeError).toBeUndefined();
          const own = r.subject === `$SYS.REQ.SERVER.${v.serverId}.JSZ`;
          // A summary is a few hundred bytes, where gzip gains less than on stream detail.
          if (own) expect(reply.wireBytes).toBe(Buffer.byteLength(reply.body!));
          else expect(reply.wireBytes).toBeLessThan(reply.body!.length / (r.subject === PING_JSZ ? 1 : 2));
        }
      }
    }
  });

  it('detail a vantage asks of another server crosses a route, so it is asked gzipped; acceptGzip always asks it of every server', async () => {
    // Act: one vantage, asking every server for detail.
    const one = await gather(config({ servers: [cluster.server('n1').clientUrl], jszDetail: 'per-server', expectServers: 3 }));

    // Assess
    const v = one.vantages[0]!;
    const detail = v.requests.filter((q) => q.endpoint === 'JSZ' && q.subject !== PING_JSZ);
    const bySender = new Map(detail.map((r) => [answeredBy(r)[0], r.replies[0]!] as const));
    expect([...bySender.keys()].sort()).toEqual(['n1', 'n2', 'n3']);
    for (const [name, reply] of bySender) {
      // Stream detail compresses well: gzipped it is well under half its size.
      if (name === 'n1') expect(reply.wireBytes, name).toBe(Buffer.byteLength(reply.body!));
      else expect(reply.wireBytes, name).toBeLessThan(reply.body!.length / 2);
    }

    // Act: the same, asking gzip for every reply.
    const always = await gather(config({ servers: [cluster.server('n1').clientUrl], jszDetail: 'per-server', expectServers: 3, acceptGzip: 'always' }));

    // Assess: n1's own detail too.
    const gzipped = always.vantages[0]!.requests.filter((q) => q.endpoint === 'JSZ' && q.subject !== PING_JSZ).map((r) => r.replies[0]!);
    expect(gzipped).toHaveLength(3);
    for (const reply of gzipped) expect(reply.wireBytes).toBeLessThan(reply.body!.length / 2);
  });

  it('asks every vantage for a JSZ summary and each server at most once for its stream detail, through its own vantage', () => {
    const detailed: string[] = [];
    for (const v of sample.vantages) {
      expect(JSON.parse(request(v, 'JSZ').requestBody)).toEqual({ raft: true });
      expect(request(v, 'JSZ').replies.every((x) => !x.body!.includes('"account_details"'))).toBe(true);
      const own = v.requests.filter((q) => q.endpoint === 'JSZ' && q.subject !== PING_JSZ);
      for (const r of own) {
        expect(r.subject).toMatch(/^\$SYS\.REQ\.SERVER\.N[A-Z0-9]{55}\.JSZ$/);
        expect(r).toMatchObject({ ended: 'all-expected', expected: 1 });
        expect(JSON.parse(r.requestBody)).toMatchObject({ accounts: true, streams: true, consumer: true });
        expect(r.replies[0]!.body).toContain('"stream_detail"');
        expect(configsIn(r.replies[0]!.body!)).toEqual({ details: expect.any(Number), configs: 0 });
        detailed.push(...answeredBy(r));
      }
    }
    expect(new Set(detailed).size).toBe(detailed.length);
    if (counting) {
      // Only servers above the average are asked, and at most two of three can be.
      expect(detailed.length).toBeLessThan(3);
    } else {
      expect(detailed.sort()).toEqual(['n1', 'n2', 'n3']);
    }
  });

  it("jszDetail 'per-vantage' asks the PING itself for detail: every server answers it through every vantage", async () => {
    // Act
    const perVantage = await gather(config({ jszDetail: 'per-vantage' }));
    // Assess
    for (const v of perVantage.vantages) {
      expect(v.requests.map((q) => q.subject)).toEqual(['JSZ', 'ROUTEZ', 'RAFTZ'].map((ep) => `$SYS.REQ.SERVER.PING.${ep}`));
      expect(answeredBy(request(v, 'JSZ'))).toEqual(['n1', 'n2', 'n3']);
      expect(request(v, 'JSZ').replies.every((x) => x.body!.includes('"stream_detail"'))).toBe(true);
    }
  });

  it('validates every reply as it arrives, so observe() finds the work done; a sample only saved is left raw but for the summaries', async () => {
    // Act
    const saveOnly = await gather(config({ decodeOnArrival: false }));
    // Assess
    // Servers' replies, not the "no responders" markers RAFTZ gets on 2.9.10.
    const replies = (s: RawSample) => s.vantages.flatMap((v) => v.requests.flatMap((r) => r.replies.filter((x) => x.status !== 503)));
    expect(replies(sample).length).toBeGreaterThan(9);
    expect(replies(sample).every(wasDecoded)).toBe(true);
    // Left raw but for the JSZ summaries, which the detail decision reads.
    const summaries = (s: RawSample) => s.vantages.flatMap((v) => request(v, 'JSZ').replies);
    const rest = replies(saveOnly).filter((x) => !summaries(saveOnly).includes(x));
    expect(rest.length).toBeGreaterThan(3);
    expect(rest.some(wasDecoded)).toBe(false);
    expect(observe(saveOnly).servers.map((s) => s.name)).toEqual(['n1', 'n2', 'n3']);
  });

  it('RAFTZ: every server answers where servers serve it; elsewhere no-responders, well before the deadline', () => {
    for (const v of sample.vantages) {
      const r = request(v, 'RAFTZ');
      if (raftz) {
        expect(r.ended).toBe('all-expected');
        expect(answeredBy(r)).toEqual(['n1', 'n2', 'n3']);
      } else {
        expect(r.ended).toBe('no-responders');
        expect(r.replies).toEqual([expect.objectContaining({ status: 503 })]);
      }
    }
  });

  it('an epoch whose checks read no ROUTEZ does not ask for it; the rest is asked as always', async () => {
    // Prepare
    const checks = { skip: new Set(['route_missing', 'server_reply_invalid']), thresholds: {} };
    // Act
    const skipping = await gatherForEpoch({ servers: cluster.urls, timeoutMs: TIMEOUT_MS }, { auth: cluster.system, registry: defaultRegistry(), checks });
    // Assess
    for (const v of skipping.vantages) {
      expect(v.connected).toBe(true);
      const endpoints = new Set(v.requests.map((r) => r.endpoint));
      expect([...endpoints].sort()).toEqual(['JSZ', 'RAFTZ']);
      expect(request(v, 'JSZ').ended).toBe('all-expected');
    }
    expect(observe(skipping).servers.map((s) => s.name)).toEqual(['n1', 'n2', 'n3']);
  });

  it('round-trips through a sample file written owner-only: the same observation, every body parsed once', async () => {
    // Prepare
    const path = join(dir, 'sample.json');
    // Act
    await writeSampleFile(path, sample);
    const back = await readSampleFile(path);
    // Assess
    expect(observe(back)).toEqual(observe(sample));
    const replies = (s: RawSample) => s.vantages.flatMap((v) => v.requests.flatMap((r) => r.replies));
    const textBodies = replies(sample).filter((r) => r.body !== undefined);
    expect(textBodies.length).toBeGreaterThan(0);
    // Every body a server sent is JSON: each comes back parsed, equal to its text parsed.
    expect(replies(back).map((r) => r.json)).toEqual(replies(sample).map((r) => (r.body === undefined ? undefined : JSON.parse(r.body))));
    expect(replies(back).every((r) => r.body === undefined)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('rejects a corrupt sample file naming the field path', async () => {
    // Prepare
    const path = join(dir, 'corrupt.json');
    const json = JSON.parse(JSON.stringify(sample)) as { vantages: { requests: { ended: string }[] }[] };
    json.vantages[1]!.requests[0]!.ended = 'maybe';
    await writeFile(path, JSON.stringify(json));
    // Act
    const err = await readSampleFile(path).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(SampleFileError);
    expect((err as Error).message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a valid nats-audit sample: vantages\\[1\\]\\.requests\\[0\\]\\.ended: `),
    );
  });
});

describe('gather through connection failures', () => {
  it('a wrong password is an auth error whose message does not contain the password', async () => {
    // Prepare
    const password = 'Wr0ng-P4ssw0rd-xyz';
    // Act
    const sample = await gather(config({ auth: { user: cluster.system.user, password }, timeoutMs: SHORT_TIMEOUT_MS }));
    // Assess
    for (const v of sample.vantages) {
      expect(v.connected).toBe(false);
      expect(v.error?.kind).toBe('auth');
      expect(v.error?.message).toContain(v.url);
      expect(v.error?.message).not.toContain(password);
    }
    expect(JSON.stringify(sample)).not.toContain(password);
  });

  it('an unreachable URL is its own vantage error; the others still sample', async () => {
    // Prepare
    const dead = `nats://127.0.0.1:${await freePort()}`;
    // Act
    const sample = await gather(config({ servers: [...cluster.urls, dead] }));
    // Assess
    const last = sample.vantages[3]!;
    expect(last).toMatchObject({ url: dead, connected: false, requests: [], error: { kind: 'unreachable' } });
    expect(sample.vantages.slice(0, 3).every((v) => request(v, 'JSZ').ended === 'all-expected')).toBe(true);
  });

  it('credentials in the URLs authenticate but never reach the sample', async () => {
    // Prepare
    const { user, password } = cluster.system;
    const urls = cluster.urls.map((u) => u.replace('nats://', `nats://${user}:${encodeURIComponent(password)}@`));
    // Act
    const sample = await gather({ servers: urls, timeoutMs: TIMEOUT_MS });
    // Assess
    expect(sample.vantages.map((v) => v.url)).toEqual(cluster.urls);
    expect(sample.vantages.every((v) => v.connected)).toBe(true);
    expect(JSON.stringify(sample)).not.toContain(password);
  });

  it('a user outside the system account connects but JSZ gets no-responders everywhere', async () => {
    const sample = await gather(config({ auth: cluster.app }));
    for (const v of sample.vantages) {
      expect(v.connected).toBe(true);
      expect(request(v, 'JSZ').ended).toBe('no-responders');
    }
  });

  it('--expect-servers overrides cluster_size: collection stops at that many answers', async () => {
    // Act
    const sample = await gather(config({ expectServers: 2 }));
    // Assess
    expect(sample.expectServers).toBe(2);
    for (const v of sample.vantages) {
      expect(request(v, 'JSZ')).toMatchObject({ ended: 'all-expected', expected: 2 });
      expect(request(v, 'JSZ').replies).toHaveLength(2);
    }
  });

  it('keeps at most `concurrency` vantages in flight', async () => {
    // Prepare
    const events: GatherProgressEvent[] = [];
    // Act
    const sample = await gather(config({ concurrency: 1, onProgress: (e) => events.push(e) }));
    // Assess
    let inFlight = 0;
    let maxInFlight = 0;
    for (const e of events) {
      if (e.type === 'vantage-start') maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (e.type === 'vantage-done' || e.type === 'vantage-failed') inFlight--;
    }
    expect(maxInFlight).toBe(1);
    // Three PINGs per vantage, and the detail requests (each server's where servers cannot count their leaders).
    const detail = sample.vantages.flatMap((v) => v.requests.filter((r) => !r.subject.includes('.PING.')));
    if (!counting) expect(detail).toHaveLength(3);
    expect(events.filter((e) => e.type === 'request-done')).toHaveLength(9 + detail.length);
  });
});

describe('gather during a partition', () => {
  afterAll(async () => {
    cluster.heal();
    await cluster.waitForMetaLeader();
    await waitForFullMesh();
  });

  it('an isolated server hears only itself; the others hear each other', async () => {
    // Prepare
    cluster.isolate('n3');
    // Act
    const sample = await gather(config({ timeoutMs: SHORT_TIMEOUT_MS }));
    // Assess
    const cases: [string, string[]][] = [
      ['n1', ['n1', 'n2']],
      ['n2', ['n1', 'n2']],
      ['n3', ['n3']],
    ];
    for (const [name, heard] of cases) {
      const v = vantageOf(sample, name);
      for (const ep of ['JSZ', 'ROUTEZ'] as const) {
        const r = request(v, ep);
        expect(answeredBy(r), `${name} ${ep}`).toEqual(heard);
        expect(r.ended).toBe('deadline');
      }
    }
  });
});

describe('gather with a hung (SIGSTOPped) server', () => {
  beforeAll(() => pauseAndWait(cluster, 'n2'));
  afterAll(async () => {
    cluster.resume('n2');
    await cluster.waitForMetaLeader();
    await waitForFullMesh();
  });

  it('still finishes within timeoutMs, records a timeout for that vantage, and leaks no socket', async () => {
    // Act
    const { result: sample, sockets } = await withClientSockets(() => gather(config({ timeoutMs: SHORT_TIMEOUT_MS })));
    // Assess
    expect(vantageOf(sample, 'n2')).toMatchObject({ connected: false, error: { kind: 'timeout' } });
    for (const name of ['n1', 'n3']) {
      expect(answeredBy(request(vantageOf(sample, name), 'JSZ'))).toEqual(['n1', 'n3']);
    }
    // nats.js alone would leave its socket to n2 open here (see server-probe.ts).
    const clientPorts = cluster.servers.map((s) => s.clientPort);
    expect(sockets.length).toBeGreaterThanOrEqual(cluster.servers.length);
    const leaked = sockets.filter((s) => !s.destroyed && clientPorts.includes(s.remotePort ?? -1));
    expect(leaked.map((s) => `${s.remoteAddress}:${s.remotePort}`)).toEqual([]);
  });

  it('with one connection at a time, the hung server costs only its share of the deadline', async () => {
    // Act
    const sample = await gather(config({ timeoutMs: SHORT_TIMEOUT_MS, concurrency: 1 }));
    // Assess: three waves of a third each; the vantage after the hung one still samples.
    expect(vantageOf(sample, 'n2').error?.kind).toBe('timeout');
    const n3 = request(vantageOf(sample, 'n3'), 'JSZ');
    expect(answeredBy(n3)).toEqual(['n1', 'n3']);
    expect(n3.ended).toBe('deadline');
  });
});
