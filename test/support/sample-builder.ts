/**
 * Builds RawSample objects offline, so checks and epochs can be judged
 * without a server. Reply bodies are real JSON text in the shapes the
 * servers send (see test/fixtures/replies/README.md), parsed by lib/replies
 * like any live reply; vantages say which servers each connection heard.
 *
 *   const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);
 *   sample({
 *     replies: { n1: { jsz: jsz(n1, { meta: { leader: 'n1' } }) }, ... },
 *     vantages: [{ via: 'n1', hears: ['n1'] }, { via: 'n2', hears: ['n2', 'n3'] }, ...],
 *   });
 */
import type { RawReply, RawRequest, RawSample, RawVantage, VantageErrorKind } from '../../lib/domain/raw-sample.js';
import { SAMPLE_TYPE } from '../../lib/domain/raw-sample.js';
import { countsOwnLeaders } from '../../lib/replies/leader-counts.js';

/** Auditor clock when every built sample starts gathering (2026-01-01T12:00:00Z). */
export const T0 = Date.UTC(2026, 0, 1, 12);
/** Round trip of every reply unless a test says otherwise. */
export const DEFAULT_LATENCY_MS = 4;
/** uint64 max as servers send it for "no limit"; JSON.parse turns it into 18446744073709552000. */
export const UINT64_MAX_TEXT = '18446744073709551615';
/** `getHash("")`: the meta `peer` a server reports when it knows no leader. */
const NO_LEADER_PEER = 'fqA4S4SK';

// ---------------------------------------------------------------- servers

export interface ServerSpec {
  readonly name: string;
  /** Default `N` + upper-cased name. */
  readonly id?: string;
  /** Default `c1`; null for a server without a cluster. */
  readonly cluster?: string | null;
  readonly domain?: string;
  /** Default 2.9.10, the version Debian ships. */
  readonly version?: string;
  /**
   * How far the server's clock runs ahead of the auditor's (negative: behind).
   * Each reply is stamped at the midpoint of its own round trip plus this.
   */
  readonly clockOffsetMs?: number;
  /** A fixed `server.time` (epoch ms) instead, the same through every vantage. */
  readonly time?: number;
}

export function serverId(server: ServerSpec): string {
  return server.id ?? `N${server.name.toUpperCase()}`;
}

/** A made-up Raft peer id per server name (the real one is `getHash(name)`). */
export function peerId(name: string): string {
  return `P_${name}`;
}

/** `servers(['n1', 'n2'])` -> `{ n1: {name: 'n1', ...base}, n2: ... }`. */
export function servers<const N extends string>(names: readonly N[], base: Omit<ServerSpec, 'name'> = {}): Record<N, ServerSpec> {
  return Object.fromEntries(names.map((name) => [name, { ...base, name }])) as unknown as Record<N, ServerSpec>;
}

function serverBlock(server: ServerSpec): Record<string, unknown> {
  return {
    name: server.name,
    host: '127.0.0.1',
    id: serverId(server),
    ...(server.cluster === null ? {} : { cluster: server.cluster ?? 'c1' }),
    ...(server.domain === undefined ? {} : { domain: server.domain }),
    ver: server.version ?? '2.9.10',
    seq: 1,
    jetstream: true,
    time: server.time === undefined ? `${MIDPOINT_MARK}${server.clockOffsetMs ?? 0}` : new Date(server.time).toISOString(),
  };
}

/**
 * Stands in for `server.time` until {@link sample} knows the round trip;
 * bodies built here are meant to go through it.
 */
const MIDPOINT_MARK = '@midpoint';

function stampTimes(body: string, sentAt: number, latencyMs: number): string {
  return body.replace(new RegExp(`"${MIDPOINT_MARK}(-?[0-9.]+)"`, 'g'), (_, offset: string) =>
    JSON.stringify(new Date(sentAt + latencyMs / 2 + Number(offset)).toISOString()),
  );
}

// ---------------------------------------------------------------- JSZ

/** A Raft peer as a leader reports it; a bare name is a current, active peer. */
export interface PeerSpec {
  readonly name: string;
  readonly current?: boolean;
  readonly offline?: boolean;
  readonly activeNs?: number;
  /** Raw JSON number text, so uint64 values can be sent literally. */
  readonly lagText?: string;
}
export type Peer = string | PeerSpec;

export interface MetaSpec {
  /** The leader this server believes in; null or absent: none. */
  readonly leader?: string | null;
  /** Default 3. */
  readonly clusterSize?: number;
  /** Only the server that thinks it leads sends these. */
  readonly replicas?: readonly Peer[];
  readonly name?: string;
}

export interface ConsumerSpec {
  readonly name: string;
  readonly leader?: string;
  /** Omitted: an R1 consumer (no `replicas` at all). */
  readonly replicas?: readonly Peer[];
  /** `delivered.stream_seq` and `ack_floor.stream_seq` (the ack floor trails by 0 unless given); omitted: no counters. */
  readonly delivered?: number;
  readonly ackFloor?: number;
}

export interface StreamSpec {
  readonly name: string;
  /** Default `APP`. */
  readonly account?: string;
  /** Placement cluster; default the reporting server's. */
  readonly cluster?: string;
  readonly leader?: string;
  /** Peers other than the leader; omitted: an R1 stream. */
  readonly replicas?: readonly Peer[];
  readonly consumers?: readonly ConsumerSpec[];
  /** `state.last_seq` (and as many messages of 100 B). @default 0 */
  readonly lastSeq?: number;
}

export interface JszSpec {
  /** The server's clock in the reply (`now`), epoch ms. @default T0 */
  readonly now?: number;
  /** Absent: a server without a meta group (standalone JetStream). */
  readonly meta?: MetaSpec;
  readonly streams?: readonly StreamSpec[];
  /** Server-side leader counts (2.11.11+/2.12.1+ with `raft: true`); omitted when undefined, as the server does for zero. */
  readonly streamsLeader?: number;
  readonly consumersLeader?: number;
  /** Top-level `streams` / `consumers`: what the server hosts (any replica); omitted when undefined. */
  readonly hosted?: { readonly streams: number; readonly consumers: number };
  /** Send `account_details` (stream detail); default: when `streams` is given, or for a server that cannot count its leaders. */
  readonly detail?: boolean;
  readonly disabled?: boolean;
}

const UINT64_PLACEHOLDER = '"__UINT64_MAX__"';
const LAG_PREFIX = '__LAG__';

function peerJson(peer: Peer): Record<string, unknown> {
  const p = typeof peer === 'string' ? { name: peer } : peer;
  return {
    name: p.name,
    current: p.current ?? true,
    ...(p.offline === undefined ? {} : { offline: p.offline }),
    active: p.activeNs ?? 250_000_000,
    ...(p.lagText === undefined ? {} : { lag: `${LAG_PREFIX}${p.lagText}` }),
    peer: peerId(p.name),
  };
}

function groupCluster(cluster: string | undefined, leader: string | undefined, replicas: readonly Peer[] | undefined) {
  return {
    ...(cluster === undefined ? {} : { name: cluster }),
    ...(leader === undefined ? {} : { leader }),
    ...(replicas === undefined ? {} : { replicas: replicas.map(peerJson) }),
  };
}

/** Raw numbers (uint64 max, lags) go in as text: JSON.stringify cannot write them exactly. */
function withRawNumbers(json: string): string {
  return json
    .replaceAll(UINT64_PLACEHOLDER, UINT64_MAX_TEXT)
    .replace(new RegExp(`"${LAG_PREFIX}([0-9.eE+-]+)"`, 'g'), '$1');
}

/** A JSZ reply body as sent for `{accounts, streams, consumer, config, raft: true}`. */
export function jsz(server: ServerSpec, spec: JszSpec = {}): string {
  const cluster = server.cluster === null ? undefined : (server.cluster ?? 'c1');
  const accounts = new Map<string, Record<string, unknown>[]>();
  for (const stream of spec.streams ?? []) {
    const account = stream.account ?? 'APP';
    const list = accounts.get(account) ?? [];
    list.push({
      name: stream.name,
      created: '2026-01-01T00:00:00Z',
      cluster: groupCluster(stream.cluster ?? cluster, stream.leader, stream.replicas),
      state: { messages: stream.lastSeq ?? 0, bytes: (stream.lastSeq ?? 0) * 100, first_seq: 0, last_seq: stream.lastSeq ?? 0, consumer_count: stream.consumers?.length ?? 0 },
      consumer_detail: (stream.consumers ?? []).map((c) => ({
        stream_name: stream.name,
        name: c.name,
        cluster: groupCluster(stream.cluster ?? cluster, c.leader, c.replicas),
        num_pending: 0,
        ...(c.delivered === undefined ? {} : { delivered: { stream_seq: c.delivered }, ack_floor: { stream_seq: c.ackFloor ?? c.delivered } }),
      })),
    });
    accounts.set(account, list);
  }
  const meta = spec.meta;
  const data: Record<string, unknown> = {
    server_id: serverId(server),
    now: new Date(spec.now ?? T0).toISOString(),
    ...(spec.disabled ? { disabled: true } : {}),
    config: { max_memory: 1073741824, max_storage: 10737418240, store_dir: '/tmp/js' },
    memory: 0,
    storage: 0,
    reserved_memory: UINT64_PLACEHOLDER.slice(1, -1),
    reserved_storage: UINT64_PLACEHOLDER.slice(1, -1),
    accounts: accounts.size,
    ...(meta === undefined
      ? {}
      : {
          meta_cluster: {
            name: meta.name ?? cluster,
            ...(meta.leader ? { leader: meta.leader } : {}),
            peer: meta.leader ? peerId(meta.leader) : NO_LEADER_PEER,
            ...(meta.replicas === undefined ? {} : { replicas: meta.replicas.map(peerJson) }),
            cluster_size: meta.clusterSize ?? 3,
          },
        }),
    ...(spec.streamsLeader === undefined ? {} : { streams_leader: spec.streamsLeader }),
    ...(spec.consumersLeader === undefined ? {} : { consumers_leader: spec.consumersLeader }),
    ...(spec.hosted === undefined ? {} : { streams: spec.hosted.streams, consumers: spec.hosted.consumers }),
    ...((spec.detail ?? (spec.streams !== undefined || !countsOwnLeaders(server.version ?? '2.9.10')))
      ? { account_details: [...accounts].map(([name, streams]) => ({ name, id: name, stream_detail: streams })) }
      : {}),
  };
  return withRawNumbers(JSON.stringify({ server: serverBlock(server), data }));
}

/** A reply carrying an error instead of data (e.g. 400 for a malformed request body). */
export function errorReply(server: ServerSpec, code: number, description: string): string {
  return JSON.stringify({ server: serverBlock(server), error: { code, description } });
}

// ---------------------------------------------------------------- ROUTEZ, RAFTZ

/**
 * A ROUTEZ reply with one route to each peer. `names: false` sends only
 * `remote_id`, as 2.9.10 does (remote_name arrived in 2.9.16).
 */
export function routez(server: ServerSpec, peers: readonly ServerSpec[], options: { names?: boolean } = {}): string {
  const routes = peers.map((peer, i) => ({
    rid: i + 1,
    remote_id: serverId(peer),
    ...(options.names === false ? {} : { remote_name: peer.name }),
    did_solicit: true,
    ip: '127.0.0.1',
    port: 6222 + i,
  }));
  return JSON.stringify({ server: serverBlock(server), data: { server_id: serverId(server), num_routes: routes.length, routes } });
}

export interface RaftzSpec {
  readonly term: number;
  /** Default FOLLOWER, or LEADER when `leader` is the server itself. */
  readonly state?: string;
  /** Leader this server follows; null or absent: none. */
  readonly leader?: string | null;
  /** The other peers of the meta group. */
  readonly peers: readonly string[];
}

/** A RAFTZ reply (2.10.26+) holding the meta group `_meta_` of the system account. */
export function raftz(server: ServerSpec, spec: RaftzSpec): string {
  const meta = {
    id: peerId(server.name),
    state: spec.state ?? (spec.leader === server.name ? 'LEADER' : 'FOLLOWER'),
    size: spec.peers.length + 1,
    quorum_needed: Math.floor((spec.peers.length + 1) / 2) + 1,
    committed: 100,
    applied: 100,
    ...(spec.leader ? { leader: peerId(spec.leader) } : {}),
    term: spec.term,
    peers: Object.fromEntries(spec.peers.map((p) => [peerId(p), { name: p, known: true, last_replicated_index: 100, last_seen: '250ms' }])),
  };
  return JSON.stringify({ server: serverBlock(server), data: { $SYS: { _meta_: meta } } });
}

// ---------------------------------------------------------------- vantages and samples

/** A body, or a reply whose body could not be decoded. */
export type ReplyBody = string | { readonly decodeError: string };

/** What one server answers to each endpoint; an absent endpoint gets no reply. */
export interface ReplySet {
  readonly jsz?: ReplyBody;
  readonly routez?: ReplyBody;
  readonly raftz?: ReplyBody;
}

export interface VantageSpec {
  /** The server this connection lands on. */
  readonly via: string;
  /** Servers whose replies arrive through this connection (who `via` can reach). */
  readonly hears: readonly string[];
  /** Default `nats://<via>:4222`. */
  readonly url?: string;
  /** A vantage that could not connect: it hears nothing. */
  readonly error?: { readonly kind: VantageErrorKind; readonly message: string };
  /** Replies that differ through this vantage (e.g. heard later, mid-election). */
  readonly replies?: Readonly<Record<string, ReplySet>>;
  /** Extra delay of every reply through this vantage. */
  readonly delayMs?: number;
  /** Error recorded on the JSZ request (e.g. a permissions violation). */
  readonly jszError?: string;
  /** How the JSZ request ended, when not derived from what was heard. */
  readonly jszEnded?: RawRequest['ended'];
  /** The connection failed mid-sample: every request ends with this error and no reply (e.g. a reset mid-reply). */
  readonly lostWith?: string;
}

export interface SampleSpec {
  /** Per server name, what it answers. */
  readonly replies: Readonly<Record<string, ReplySet>>;
  /** Default: one vantage per server, each hearing every server (a healthy mesh). */
  readonly vantages?: readonly VantageSpec[];
  readonly expectServers?: number;
  /** Default {@link T0}. */
  readonly startedAt?: number;
  /** Round trip per server name; default {@link DEFAULT_LATENCY_MS}. */
  readonly latencyMs?: Readonly<Record<string, number>>;
}

const ENDPOINTS = [
  { endpoint: 'JSZ', key: 'jsz' },
  { endpoint: 'ROUTEZ', key: 'routez' },
  { endpoint: 'RAFTZ', key: 'raftz' },
] as const;

/** Every server heard by every vantage, one vantage per server. */
export function fullMesh(names: readonly string[]): VantageSpec[] {
  return names.map((via) => ({ via, hears: names }));
}

/**
 * A vantage per server where each hears only its own side: `partitioned(['n1'], ['n2', 'n3'])`.
 */
export function partitioned(...sides: readonly (readonly string[])[]): VantageSpec[] {
  return sides.flatMap((side) => side.map((via) => ({ via, hears: side })));
}

export function sample(spec: SampleSpec): RawSample {
  const startedAt = spec.startedAt ?? T0;
  const vantages = spec.vantages ?? fullMesh(Object.keys(spec.replies));
  const answering = Object.keys(spec.replies).length;
  return {
    type: SAMPLE_TYPE,
    startedAt,
    durationMs: 50,
    ...(spec.expectServers === undefined ? {} : { expectServers: spec.expectServers }),
    vantages: vantages.map((v) => buildVantage(v, spec, startedAt, answering)),
  };
}

function buildVantage(v: VantageSpec, spec: SampleSpec, startedAt: number, answering: number): RawVantage {
  const url = v.url ?? `nats://${v.via}:4222`;
  if (v.error) return { url, connected: false, error: v.error, requests: [] };
  const requests = ENDPOINTS.map(({ endpoint, key }): RawRequest => {
    const replies: RawReply[] = [];
    for (const name of v.hears) {
      const body = (own(v.replies, name) ?? own(spec.replies, name))?.[key];
      if (body === undefined) continue;
      const latencyMs = (spec.latencyMs?.[name] ?? DEFAULT_LATENCY_MS) + (v.delayMs ?? 0);
      const common = { latencyMs, receivedAt: startedAt + latencyMs };
      replies.push(
        typeof body === 'string'
          ? { ...common, wireBytes: body.length, body: stampTimes(body, startedAt, latencyMs) }
          : { ...common, wireBytes: 10, decodeError: body.decodeError },
      );
    }
    const base = { endpoint, subject: `$SYS.REQ.SERVER.PING.${endpoint}`, requestBody: '{}', sentAt: startedAt, durationMs: 20 };
    if (v.lostWith !== undefined) return { ...base, ended: 'error', replies: [], error: v.lostWith };
    if (endpoint === 'JSZ' && (v.jszEnded !== undefined || v.jszError !== undefined)) {
      return { ...base, ended: v.jszEnded ?? 'error', replies, ...(v.jszError === undefined ? {} : { error: v.jszError }) };
    }
    if (replies.length === 0 && endpoint === 'RAFTZ') {
      // Before 2.10.26 nobody serves RAFTZ: one empty 503 status message.
      return { ...base, ended: 'no-responders', replies: [{ latencyMs: 1, receivedAt: startedAt + 1, wireBytes: 0, status: 503 }] };
    }
    return { ...base, ended: replies.length >= answering ? 'all-expected' : 'deadline', replies };
  });
  return { url, connected: true, connectMs: 1, serverName: v.via, serverId: serverId({ name: v.via }), requests };
}

/** A record's own entry: a server may be called `constructor` or `__proto__` (the hostile tests name them so). */
function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

// ---------------------------------------------------------------- scenarios

export interface ClusterSpec {
  /** Default n1, n2, n3. */
  readonly names?: readonly string[];
  /** The meta leader everyone agrees on; default the first name. */
  readonly leader?: string;
  readonly base?: Omit<ServerSpec, 'name'>;
  /** Streams per reporting server name (put a group in its leader's reply for the leader's own view). */
  readonly streams?: Readonly<Record<string, readonly StreamSpec[]>>;
  /** Default true: every server sends ROUTEZ with a route to every other. */
  readonly routes?: boolean;
  /** Every server's clock in its JSZ reply (`now`), epoch ms. @default T0 */
  readonly now?: number;
}

/** Replies of a healthy cluster: one agreed meta leader (which reports its replicas), full-mesh routes. */
export function healthyReplies(spec: ClusterSpec = {}): Record<string, ReplySet> {
  const names = spec.names ?? ['n1', 'n2', 'n3'];
  const leader = spec.leader ?? names[0]!;
  const all = names.map((name) => ({ ...spec.base, name }));
  const out: Record<string, ReplySet> = Object.create(null) as Record<string, ReplySet>;
  for (const server of all) {
    const others = all.filter((s) => s.name !== server.name);
    out[server.name] = {
      jsz: jsz(server, {
        meta: {
          leader,
          clusterSize: names.length,
          ...(server.name === leader ? { replicas: others.map((o) => o.name) } : {}),
        },
        streams: own(spec.streams, server.name) ?? [],
        ...(spec.now === undefined ? {} : { now: spec.now }),
      }),
      ...(spec.routes === false ? {} : { routez: routez(server, others) }),
    };
  }
  return out;
}

/** `count` R3 streams led by `leader`, named `<prefix>01`, `<prefix>02`, ... */
export function replicatedStreams(
  count: number,
  leader: string,
  followers: readonly Peer[],
  options: { prefix?: string; account?: string } = {},
): StreamSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${options.prefix ?? `${leader.toUpperCase()}_S`}${String(i + 1).padStart(2, '0')}`,
    account: options.account,
    leader,
    replicas: followers,
  }));
}
