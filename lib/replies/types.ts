/**
 * Typed views of system-account replies: only what the checks read.
 * Produced by the zod schemas in this folder; every optional field is one
 * that some server version omits.
 */

/** The `server` block every system reply carries. */
export interface ServerInfo {
  readonly name: string;
  readonly id: string;
  readonly host?: string;
  readonly cluster?: string;
  readonly domain?: string;
  readonly version: string;
  /** Server wall clock when it built the reply (epoch ms), from `server.time`. */
  readonly time?: number;
  readonly jetstream?: boolean;
}

/** A Raft peer as a group leader sees it (`replicas[]` in JSZ). */
export interface PeerView {
  readonly name: string;
  readonly current: boolean;
  readonly offline?: boolean;
  /** Nanoseconds since the leader last heard from this peer. */
  readonly activeNs?: number;
  readonly lag?: number;
  readonly peer?: string;
}

export interface MetaClusterView {
  readonly name?: string;
  /** Server name of the leader this server believes in; undefined when it knows none. */
  readonly leader?: string;
  /**
   * Peer id of the leader this server believes in: the server fills it with
   * the hash of `leader` (`getHash(ci.Leader)` in server/monitor.go, 2.9 to
   * 2.12), not with its own id. With no leader it is the hash of the empty
   * string, `fqA4S4SK`.
   */
  readonly peer?: string;
  readonly clusterSize?: number;
  /** Filled only by the server that believes it is the meta leader. */
  readonly replicas?: readonly PeerView[];
  readonly pending?: number;
}

export interface RaftGroupClusterView {
  readonly name?: string;
  readonly leader?: string;
  readonly replicas: readonly PeerView[];
}

export interface ConsumerView {
  readonly name: string;
  readonly cluster?: RaftGroupClusterView;
  /** RFC 3339 text as sent: compared between epochs, never parsed. */
  readonly created?: string | undefined;
  /** `delivered.stream_seq`: the last stream sequence delivered. */
  readonly deliveredStreamSeq?: number | undefined;
  /** `ack_floor.stream_seq`: every message up to it is acknowledged. */
  readonly ackFloorStreamSeq?: number | undefined;
}

/** The part of `state` write rates are computed from. */
export interface StreamCounters {
  readonly messages?: number | undefined;
  readonly bytes?: number | undefined;
  readonly lastSeq?: number | undefined;
}

export interface StreamView {
  /** The account detail's `name`: the JWT name tag when the account has one, else the account name. */
  readonly account: string;
  /** The account detail's `id`: the real account name (public key in operator mode), needed to act in that account. */
  readonly accountId?: string;
  readonly name: string;
  readonly cluster?: RaftGroupClusterView;
  readonly consumers: readonly ConsumerView[];
  /** RFC 3339 text as sent: compared between epochs, never parsed. */
  readonly created?: string | undefined;
  readonly state?: StreamCounters | undefined;
}

export interface JszData {
  /** JetStream disabled on this server (or no JSZ data at all). */
  readonly disabled: boolean;
  readonly meta?: MetaClusterView;
  /**
   * Server-side leader counts, 2.11.11+/2.12.1+ with `raft: true`; they include R1 assets.
   * The server omits them when zero (`omitempty`), so undefined also means "leads none" there.
   */
  readonly streamsLeader?: number;
  readonly consumersLeader?: number;
  /** Streams and consumers this server hosts, any replica, R1 included (`data.streams`, `data.consumers`). */
  readonly hostedStreams?: number;
  readonly hostedConsumers?: number;
  /** The reply carried stream detail (`account_details`), not only the summary. */
  readonly hasDetail?: boolean;
  /** The JetStream API level (`api.level`, 2.11+: 1; 2.12: 2; 2.14: 4); undefined before 2.11. */
  readonly apiLevel?: number | undefined;
  readonly streams: readonly StreamView[];
  /** The server's clock when it built the reply (`data.now`, epoch ms). */
  readonly now?: number | undefined;
}

export interface RouteView {
  readonly remoteId: string;
  /** 2.9.16+ reports the remote's name; 2.9.10 only its id. */
  readonly remoteName?: string;
  readonly didSolicit?: boolean;
  readonly ip?: string;
  readonly port?: number;
}

export interface RoutezData {
  readonly routes: readonly RouteView[];
}

/** The meta group (`_meta_` of the system account) as RAFTZ reports it (2.10.26+). */
export interface RaftzMetaView {
  readonly term: number;
  readonly state: string;
  /** Peer id of the leader this server follows. */
  readonly leaderPeer?: string;
  /** This server's own peer id in the meta group (RAFTZ `id`). */
  readonly selfPeer: string;
  /** Peer id -> server name, as far as this server knows; includes this server itself (named from the envelope). */
  readonly peerNames: Readonly<Record<string, string>>;
  readonly committed?: number;
  readonly applied?: number;
}

export interface RaftzData {
  readonly meta?: RaftzMetaView;
}

export interface ReplyError {
  readonly code: number;
  readonly description: string;
}

/**
 * A reply body as the parsers take it: the text the server sent, or that
 * text already parsed as JSON (a sample file stores bodies parsed, so they
 * are not parsed twice). Either is validated the same way.
 */
export type ReplyBody = string | { readonly json: unknown };

/**
 * Outcome of parsing one reply. A reply that fails validation still reports
 * which server sent it when the envelope could be read, so the finding can
 * name the server.
 */
export type ParsedReply<T> =
  | { readonly ok: true; readonly server: ServerInfo; readonly data: T }
  | { readonly ok: false; readonly server?: ServerInfo; readonly problem: string; readonly error?: ReplyError };
