/**
 * gather()'s default `jszDetail: 'flagged'` on the wire, for 2.11.x: no
 * 2.11 server can be had here (real 2.9, 2.10 and the newest release run in
 * gather-counts-only.test.ts), so three 2.11.12 servers of cluster `east`
 * are impersonated by system-account clients of a real server (the
 * transport, JetStream off): they answer `$SYS.REQ.SERVER.PING.JSZ` and
 * `$SYS.REQ.SERVER.<their id>.JSZ` with replies cut from the recorded
 * 2.11.12 reply (test/fixtures/replies/jsz-2.11.12-raft.json) and record
 * every detail request. The transport answers the PING too, as whatever
 * version it is; whether it is asked for detail is left to the real-server
 * tests, so it is left out of what is asserted here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Msg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { judge } from '../../lib/epoch/judge.js';
import { observe } from '../../lib/observation/observe.js';
import { gather, type GatherConfig } from '../../lib/sampling/gather.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { useSingleServer, type SingleServerPlace } from '../support/single-server.js';

const PASSWORD = 'flagged-secret';
const TIMEOUT_MS = 5_000;
const CLUSTER = 'east';
const NAMES = ['nats-a', 'nats-b', 'nats-c'] as const;
type Name = (typeof NAMES)[number];

interface Recorded {
  server: Record<string, unknown>;
  data: Record<string, unknown> & { account_details: Record<string, unknown>[] };
}
const recorded = JSON.parse(
  readFileSync(join(process.cwd(), 'test', 'fixtures', 'replies', 'jsz-2.11.12-raft.json'), 'utf8'),
) as Recorded;

/** What one impersonated server is this test: its version, its own counts, the streams its detail lists. */
interface Persona {
  version: string;
  streamsLeader?: number;
  consumersLeader?: number;
  /** Streams it hosts as `[name, leader, replicas]`; replicas empty: R1. */
  streams: [string, Name, Name[]][];
}

/** A fake server id per name: 56 characters, as real ones. */
const idOf = (name: Name): string => `N${name.replace('-', '').toUpperCase()}`.padEnd(56, 'X');

function streamDetail(name: string, leader: Name, replicas: readonly Name[]): Record<string, unknown> {
  const template = (recorded.data.account_details[0]!['stream_detail'] as Record<string, unknown>[])[0]!;
  return {
    ...template,
    name,
    cluster: {
      name: CLUSTER,
      leader,
      ...(replicas.length === 0 ? {} : { replicas: replicas.map((r) => ({ name: r, current: true, active: 98_000_000, peer: r.slice(-1).repeat(8) })) }),
    },
    config: { ...(template['config'] as Record<string, unknown>), name, num_replicas: replicas.length + 1 },
    consumer_detail: [],
  };
}

/** The recorded 2.11.12 reply re-addressed to `name`; with stream detail when the request asked for accounts. */
function replyOf(name: Name, persona: Persona, detail: boolean): string {
  const { account_details: accounts, streams_leader: _s, consumers_leader: _c, ...data } = recorded.data;
  return JSON.stringify({
    server: { ...recorded.server, name, id: idOf(name), cluster: CLUSTER, ver: persona.version, time: new Date().toISOString() },
    data: {
      ...data,
      server_id: idOf(name),
      // What it hosts, as its own detail lists it: totals the check holds the counts against.
      streams: persona.streams.length,
      consumers: persona.consumersLeader ?? 0,
      ...(persona.streamsLeader ? { streams_leader: persona.streamsLeader } : {}),
      ...(persona.consumersLeader ? { consumers_leader: persona.consumersLeader } : {}),
      meta_cluster: { name: CLUSTER, leader: 'nats-a', peer: 'aaaaaaaa', cluster_size: 3, pending: 0 },
      ...(detail
        ? { account_details: [{ ...accounts[0], stream_detail: persona.streams.map(([s, leader, replicas]) => streamDetail(s, leader, replicas)) }] }
        : {}),
    },
  });
}

const server = useSingleServer(
  ({ port }: SingleServerPlace) => `listen: 127.0.0.1:${port}
server_name: transport
accounts {
  SYS: { users: [{ user: sys, password: ${PASSWORD} }] }
}
system_account: SYS
`,
  { label: 'transport' },
);

const personas = new Map<Name, Persona>();
/** Detail requests each impersonator received, by subject. */
const detailRequests = new Map<Name, string[]>();
const impersonators: NatsConnection[] = [];

beforeAll(async () => {
  for (const name of NAMES) {
    const nc = await connect({ servers: server().url, user: 'sys', pass: PASSWORD, reconnect: false, name: `impersonating ${name}` });
    impersonators.push(nc);
    const answer = (_err: Error | null, msg: Msg): void => {
      const persona = personas.get(name);
      if (persona === undefined || !msg.reply) return;
      const body = JSON.parse(msg.string() || '{}') as { accounts?: boolean };
      const detail = body.accounts === true;
      if (detail) detailRequests.get(name)!.push(msg.subject);
      msg.respond(new TextEncoder().encode(replyOf(name, persona, detail)));
    };
    nc.subscribe('$SYS.REQ.SERVER.PING.JSZ', { callback: answer });
    nc.subscribe(`$SYS.REQ.SERVER.${idOf(name)}.JSZ`, { callback: answer });
    await nc.flush();
  }
});

// Registered after useSingleServer, so it runs before the transport is killed.
afterAll(async () => {
  await Promise.all(impersonators.map((nc) => nc.close()));
});

beforeEach(() => {
  personas.clear();
  for (const name of NAMES) detailRequests.set(name, []);
});

/** Two vantages on the transport: both decide, each server is still asked at most once. */
function config(): GatherConfig {
  return {
    servers: [server().url, server().url],
    auth: { user: 'sys', password: PASSWORD },
    endpoints: ['JSZ'],
    // Three impersonators and the transport.
    expectServers: 4,
    timeoutMs: TIMEOUT_MS,
  };
}

/** Subjects of every one-server detail request in the sample but the transport's, sorted. */
function detailAsked(sample: RawSample): string[] {
  const transport = `$SYS.REQ.SERVER.${server().serverId}.JSZ`;
  return sample.vantages
    .flatMap((v) => v.requests.filter((r) => !r.subject.includes('.PING.') && r.subject !== transport).map((r) => r.subject))
    .sort();
}

const streams = (leader: Name, count: number, replicated: boolean): [string, Name, Name[]][] =>
  Array.from({ length: count }, (_, i) => [
    `${leader.toUpperCase().replace('-', '_')}_${replicated ? 'R3' : 'R1'}_${i + 1}`,
    leader,
    replicated ? NAMES.filter((n) => n !== leader) : [],
  ]);

describe("gather's flagged detail against servers that count their own leaders (impersonated 2.11.12)", () => {
  it('balanced counts: no detail request reaches them', async () => {
    // Prepare
    for (const name of NAMES) personas.set(name, { version: '2.11.12', streamsLeader: 3, consumersLeader: 6, streams: streams(name, 3, true) });

    // Act
    const sample = await gather(config());

    // Assess
    expect(sample.vantages.every((v) => v.requests[0]?.ended === 'all-expected')).toBe(true);
    expect(Object.fromEntries(detailRequests)).toEqual({ 'nats-a': [], 'nats-b': [], 'nats-c': [] });
    expect(detailAsked(sample)).toEqual([]);
    const { drafts } = judge(defaultRegistry(), { observation: observe(sample), history: [] }, { skip: new Set(), thresholds: {} });
    expect(drafts.filter((d) => d.check === 'uneven_leader_distribution')).toEqual([]);
  });

  it('one hot server: exactly one detail request, to it; the finding judges by counts and steps down its groups', async () => {
    // Prepare: nats-a counts 9 stream leaders (7 R3, 2 R1); the others 1 each.
    personas.set('nats-a', { version: '2.11.12', streamsLeader: 9, streams: [...streams('nats-a', 7, true), ...streams('nats-a', 2, false)] });
    personas.set('nats-b', { version: '2.11.12', streamsLeader: 1, streams: streams('nats-b', 1, true) });
    personas.set('nats-c', { version: '2.11.12', streamsLeader: 1, streams: streams('nats-c', 1, true) });

    // Act
    const sample = await gather(config());
    const observation = observe(sample);
    const { drafts } = judge(defaultRegistry(), { observation, history: [] }, { skip: new Set(), thresholds: {} });

    // Assess: one request, to nats-a, though both vantages decided.
    expect(Object.fromEntries(detailRequests)).toEqual({ 'nats-a': [`$SYS.REQ.SERVER.${idOf('nats-a')}.JSZ`], 'nats-b': [], 'nats-c': [] });
    expect(detailAsked(sample)).toEqual([`$SYS.REQ.SERVER.${idOf('nats-a')}.JSZ`]);
    const finding = drafts.find((d) => d.check === 'uneven_leader_distribution');
    // Its detail corrects nats-a's 9 to its 7 replicated streams (the 2 R1 reported apart):
    // 7 vs an average of 3, 4 above it, so 4 of them step down.
    expect(finding?.details).toMatchObject({
      cluster: CLUSTER,
      source: 'server_counts',
      counts: { 'nats-a': { streams: 7, total: 7 }, 'nats-b': { streams: 1 }, 'nats-c': { streams: 1 } },
      r1Leaders: { 'nats-a': { streams: 2, total: 2 } },
      stepDownsTotal: 4,
    });
    const stepDowns = finding!.details.stepDowns as { kind: string; stream: string; leader: string }[];
    expect(stepDowns.map((s) => [s.kind, s.stream, s.leader])).toEqual(
      ['NATS_A_R3_1', 'NATS_A_R3_2', 'NATS_A_R3_3', 'NATS_A_R3_4'].map((s) => ['stream', s, 'nats-a']),
    );
  });

  it('a member on 2.10 in the cluster: detail from every member, judged from the groups', async () => {
    // Prepare: balanced counts, but nats-c cannot count.
    personas.set('nats-a', { version: '2.11.12', streamsLeader: 3, streams: streams('nats-a', 3, true) });
    personas.set('nats-b', { version: '2.11.12', streamsLeader: 3, streams: streams('nats-b', 3, true) });
    personas.set('nats-c', { version: '2.10.29', streams: streams('nats-c', 3, true) });

    // Act
    const sample = await gather(config());
    const observation = observe(sample);

    // Assess: each asked once, whichever vantage asked.
    for (const name of NAMES) expect(detailRequests.get(name)).toEqual([`$SYS.REQ.SERVER.${idOf(name)}.JSZ`]);
    expect(detailAsked(sample)).toHaveLength(3);
    expect(observation.groups.filter((g) => g.cluster === CLUSTER)).toHaveLength(9);
  });

  it('a PING still running near the deadline (a server silent): the hot server is asked in time to answer', async () => {
    // Prepare: a fifth server is expected but never answers, so the PINGs run to the deadline.
    personas.set('nats-a', { version: '2.11.12', streamsLeader: 9, streams: streams('nats-a', 7, true) });
    personas.set('nats-b', { version: '2.11.12', streamsLeader: 1, streams: streams('nats-b', 1, true) });
    personas.set('nats-c', { version: '2.11.12', streamsLeader: 1, streams: streams('nats-c', 1, true) });

    // Act
    const sample = await gather({ ...config(), expectServers: 5, timeoutMs: 2_000 });

    // Assess
    const requests = sample.vantages.flatMap((v) => v.requests);
    expect(requests.filter((r) => r.subject.includes('.PING.')).map((r) => r.ended)).toEqual(['deadline', 'deadline']);
    const hot = requests.filter((r) => r.subject === `$SYS.REQ.SERVER.${idOf('nats-a')}.JSZ`);
    expect(hot.map((r) => [r.ended, r.replies.length])).toEqual([['all-expected', 1]]);
    expect(detailRequests.get('nats-b')).toEqual([]);
  });

  it("'per-server' still asks every server, counting or not", async () => {
    // Prepare
    for (const name of NAMES) personas.set(name, { version: '2.11.12', streamsLeader: 3, streams: streams(name, 3, true) });

    // Act
    await gather({ ...config(), jszDetail: 'per-server' });

    // Assess
    for (const name of NAMES) expect(detailRequests.get(name)).toHaveLength(1);
  });
});
