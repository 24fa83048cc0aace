import { serverIdOf, serverIdOfJson } from '../domain/reply-identity.js';
import type { Endpoint, RawReply, RawSample, RawVantage } from '../domain/raw-sample.js';
import type { JszData, ParsedReply, RaftzData, RoutezData, ServerInfo } from '../replies/types.js';
import type {
  ClockReading,
  Observation,
  RaftGroup,
  ReplyProblem,
  ServerObservation,
  VantageObservation,
} from './types.js';
import { resolveIdentities, type ResolvedIdentities } from './identities.js';
import { decodeReply } from '../domain/decode-reply.js';
import { mergeGroups } from './merge-groups.js';
import { appendTo } from '../util/group-by.js';
import { compareText } from '../util/compare-text.js';
import { metaMembers } from '../replies/meta-members.js';

interface Heard<T> {
  readonly server: ServerInfo;
  readonly data: T;
  readonly reply: RawReply;
  readonly sentAt: number;
  readonly vantage: string;
}

/** Per server id, every valid reply to one endpoint, in arrival order. */
type HeardByServer<T> = Map<string, Heard<T>[]>;

/**
 * What a server writes as a replica's `name` when it cannot name the peer
 * (seen on 2.11: `Server name unknown at this time (peerID: 3JdJR0O6)`). It
 * is no server name: counted as one, it would be reported missing.
 */
const UNKNOWN_PEER_NAME = /^Server name unknown at this time\b/;

const ONE_SERVER_SUBJECT = /^\$SYS\.REQ\.SERVER\.([^.]+)\.[A-Z]+$/;

/** A valid reply before its identity is settled. */
interface Received extends Heard<unknown> {
  readonly endpoint: Endpoint;
  /** Index of the vantage in the sample. */
  readonly via: number;
  /** Sequence number of the request it answered, unique in the sample. */
  readonly request: number;
}

/** An unusable reply, and whatever it said about its sender. */
interface Unusable {
  readonly endpoint: Endpoint;
  readonly vantage: string;
  readonly problem: string;
  /** The name its envelope gave. */
  readonly name?: string;
  /** The id read from its text when the envelope as a whole could not be. */
  readonly id?: string;
}

/**
 * Turns a raw sample into an observation. Never throws on server data: an
 * unreadable reply becomes a ReplyProblem and every other reply still counts.
 */
export function observe(sample: RawSample): Observation {
  const problems: ReplyProblem[] = [];
  const received: Received[] = [];
  const unusable: Unusable[] = [];
  let request = 0;
  sample.vantages.forEach((vantage, via) => {
    for (const req of vantage.requests) {
      request++;
      for (const reply of req.replies) {
        const parsed = decodeReply(req.endpoint, reply);
        if (parsed === undefined) continue;
        if (!parsed.ok) {
          const id = parsed.server === undefined ? (senderIdOf(reply) ?? addressedServer(req.subject)) : undefined;
          unusable.push({ endpoint: req.endpoint, vantage: vantage.url, problem: parsed.problem, name: parsed.server?.name, id });
          continue;
        }
        received.push({ endpoint: req.endpoint, via, request, server: parsed.server, data: parsed.data, reply, sentAt: req.sentAt, vantage: vantage.url });
      }
    }
  });

  const identities = resolveIdentities(
    sample.vantages.flatMap((v) => (v.serverId && v.serverName ? [{ id: v.serverId, name: v.serverName }] : [])),
    received.map((r) => ({ id: r.server.id, name: r.server.name, vantage: r.vantage })),
  );
  for (const u of unusable) {
    problems.push({ server: u.name ?? (u.id === undefined ? undefined : identities.nameOf(u.id)), vantage: u.vantage, endpoint: u.endpoint, problem: u.problem });
  }
  const jsz: HeardByServer<JszData> = new Map();
  const routez: HeardByServer<RoutezData> = new Map();
  const raftz: HeardByServer<RaftzData> = new Map();
  const heardVia = new Map<number, Set<string>>();
  for (const entry of usable(received, identities, problems)) {
    if (entry.endpoint === 'JSZ') {
      const heard = heardVia.get(entry.via) ?? new Set<string>();
      heard.add(entry.server.name);
      heardVia.set(entry.via, heard);
      push(jsz, entry as Heard<JszData>);
    } else if (entry.endpoint === 'ROUTEZ') {
      push(routez, entry as Heard<RoutezData>);
    } else {
      push(raftz, entry as Heard<RaftzData>);
    }
  }
  const vantages = sample.vantages.map((v, via) => vantageObservation(v, [...(heardVia.get(via) ?? [])].sort()));

  const idToName = new Map<string, string>();
  for (const replies of [jsz, routez, raftz]) {
    for (const [id, heard] of replies) idToName.set(id, heard[0]!.server.name);
  }

  const servers: ServerObservation[] = [];
  for (const [id, heard] of jsz) {
    servers.push(serverObservation(id, heard, routez.get(id), raftz.get(id), idToName));
  }
  servers.sort((a, b) => compareText(a.name, b.name));

  const groups: RaftGroup[] = mergeGroups(servers.map((s) => ({ server: s.name, cluster: s.cluster, data: withDetail(jsz.get(s.id)!).data })));

  return {
    startedAt: sample.startedAt,
    gatherMs: sample.durationMs,
    expectServers: sample.expectServers,
    expectedServerCount: expectedCount(sample.expectServers, servers),
    servers,
    vantages,
    groups,
    problems,
    knownServerNames: knownNames(servers, groups, vantages, routez, idToName),
  };
}

/** The sender's id as far as a reply whose envelope could not be read gives it. */
function senderIdOf(reply: RawReply): string | undefined {
  if (reply.json !== undefined) return serverIdOfJson(reply.json);
  return reply.body === undefined ? undefined : serverIdOf(reply.body);
}

/**
 * Whether two replies carry the same body. A sample file stores a body
 * parsed only when no other reply to its request parses to the same value
 * from different text, so comparing values gives the live verdict.
 */
function sameBody(a: RawReply, b: RawReply): boolean {
  if (a === b) return true;
  if (a.json === undefined || b.json === undefined) return a.json === b.json && a.body === b.body;
  return JSON.stringify(a.json) === JSON.stringify(b.json);
}

/**
 * The replies that may count: their identity holds, and their server answered
 * the request once. Two different answers from one server to one request
 * cannot both be its state, and nothing tells which is, so neither is used.
 */
function usable(received: readonly Received[], identities: ResolvedIdentities, problems: ReplyProblem[]): Received[] {
  const byRequest = new Map<string, Received[]>();
  for (const entry of received) {
    const conflict = identities.conflict(entry.server);
    if (conflict !== undefined) {
      problems.push({ server: entry.server.name, vantage: entry.vantage, endpoint: entry.endpoint, problem: conflict });
      continue;
    }
    const key = `${entry.request}\u0000${entry.server.id}`;
    appendTo(byRequest, key, entry);
  }
  const kept: Received[] = [];
  for (const answers of byRequest.values()) {
    const first = answers[0]!;
    if (answers.every((a) => sameBody(a.reply, first.reply))) {
      kept.push(first);
      continue;
    }
    problems.push({
      server: first.server.name,
      vantage: first.vantage,
      endpoint: first.endpoint,
      problem: `answered ${answers.length} times to one request, with different replies; none of them is used`,
    });
  }
  return kept;
}

function push<T>(map: HeardByServer<T>, entry: Heard<T>): void {
  appendTo(map, entry.server.id, entry);
}

/** The freshest reply reflects the server's latest state, which matters mid-election. */
function latest<T>(heard: readonly Heard<T>[]): Heard<T> {
  let best = heard[0]!;
  for (const h of heard) if (h.reply.receivedAt > best.reply.receivedAt) best = h;
  return best;
}

/** The server a one-server request (`$SYS.REQ.SERVER.<id>.<EP>`) was sent to: the only one that can answer it. */
function addressedServer(subject: string): string | undefined {
  const id = ONE_SERVER_SUBJECT.exec(subject)?.[1];
  return id === 'PING' ? undefined : id;
}

/**
 * The reply a server's Raft groups are read from: its freshest that lists
 * streams. Gather asks every vantage only for a summary and each server for
 * stream detail at most once (`jszDetail: 'flagged'` or `'per-server'`; under
 * `flagged` a server whose own leader counts need no detail is not asked),
 * so the freshest reply is usually a summary that lists none; one that lists
 * none for a server without streams, or never asked, gives no groups.
 */
function withDetail(heard: readonly Heard<JszData>[]): Heard<JszData> {
  let best: Heard<JszData> | undefined;
  for (const h of heard) {
    if (h.data.streams.length > 0 && (best === undefined || h.reply.receivedAt > best.reply.receivedAt)) best = h;
  }
  return best ?? latest(heard);
}

function vantageObservation(vantage: RawVantage, heard: string[]): VantageObservation {
  const jszRequest = vantage.requests.find((r) => r.endpoint === 'JSZ');
  return {
    url: vantage.url,
    connected: vantage.connected,
    serverName: vantage.serverName,
    error: vantage.error,
    heard,
    jszEnded: jszRequest?.ended,
    failedRequests: vantage.requests.flatMap((r) => (r.error === undefined ? [] : [{ endpoint: r.endpoint, error: r.error }])),
  };
}

function serverObservation(
  id: string,
  jszHeard: readonly Heard<JszData>[],
  routezHeard: readonly Heard<RoutezData>[] | undefined,
  raftzHeard: readonly Heard<RaftzData>[] | undefined,
  idToName: ReadonlyMap<string, string>,
): ServerObservation {
  const current = latest(jszHeard);
  const info = current.server;
  const data = current.data;
  const raft = raftzHeard ? latest(raftzHeard).data.meta : undefined;
  return {
    name: info.name,
    id,
    host: info.host,
    cluster: info.cluster,
    domain: info.domain,
    version: info.version,
    jetstream: !data.disabled,
    meta: data.meta,
    metaTerm: raft?.term,
    metaState: raft?.state,
    latencyMs: Math.min(...jszHeard.map((h) => h.reply.latencyMs)),
    clock: clockReading(jszHeard),
    routes: routezHeard ? routeNames(latest(routezHeard).data, idToName) : undefined,
    heardVia: [...new Set(jszHeard.map((h) => h.vantage))].sort(),
    streamsLeader: data.streamsLeader,
    apiLevel: data.apiLevel,
    consumersLeader: data.consumersLeader,
    hostedStreams: data.hostedStreams,
    hostedConsumers: data.hostedConsumers,
    detailed: jszHeard.some((h) => h.data.hasDetail === true),
  };
}

/**
 * The server stamped its reply somewhere between our send and our receipt, so
 * the skew is measured against the midpoint and is only known to within half
 * the round trip. The fastest round trip gives the tightest bound.
 */
function clockReading(heard: readonly Heard<JszData>[]): ClockReading | undefined {
  let best: ClockReading | undefined;
  for (const h of heard) {
    if (h.server.time === undefined) continue;
    const rtt = Math.max(0, h.reply.receivedAt - h.sentAt);
    const reading = { skewMs: h.server.time - (h.sentAt + rtt / 2), uncertaintyMs: rtt / 2 };
    if (!best || reading.uncertaintyMs < best.uncertaintyMs) best = reading;
  }
  return best;
}

function routeNames(data: RoutezData, idToName: ReadonlyMap<string, string>): string[] {
  const names = new Set<string>();
  for (const route of data.routes) {
    const name = route.remoteName ?? idToName.get(route.remoteId);
    // A route to a server that never answered still shows as its id, so it can be matched later.
    names.add(name ?? route.remoteId);
  }
  return [...names].sort();
}

function expectedCount(expectServers: number | undefined, servers: readonly ServerObservation[]): number {
  if (expectServers !== undefined) return expectServers;
  let largest = servers.length;
  for (const s of servers) largest = Math.max(largest, s.meta ? metaMembers(s.meta) : 0);
  return largest;
}

function knownNames(
  servers: readonly ServerObservation[],
  groups: readonly RaftGroup[],
  vantages: readonly VantageObservation[],
  routez: HeardByServer<RoutezData>,
  idToName: ReadonlyMap<string, string>,
): string[] {
  const names = new Set<string>();
  const add = (name: string | undefined): void => {
    if (name && !UNKNOWN_PEER_NAME.test(name)) names.add(name);
  };
  for (const s of servers) {
    add(s.name);
    for (const r of s.meta?.replicas ?? []) add(r.name);
    add(s.meta?.leader);
  }
  for (const g of groups) {
    add(g.leader);
    for (const r of g.replicas) add(r.name);
  }
  for (const v of vantages) add(v.serverName);
  for (const heard of routez.values()) {
    for (const route of latest(heard).data.routes) add(route.remoteName ?? idToName.get(route.remoteId));
  }
  return [...names].sort();
}
