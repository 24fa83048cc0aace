import type { Endpoint, VantageErrorKind } from '../domain/raw-sample.js';
import type { MetaClusterView, PeerView, ServerInfo } from '../replies/types.js';

/**
 * One epoch's sample after validation: what every server said, merged across
 * vantages. Checks read only this (plus history), never raw replies.
 */
export interface Observation {
  /** Auditor wall clock (epoch ms) when gathering started. */
  readonly startedAt: number;
  readonly gatherMs: number;
  /** Servers the operator told us to expect, if any. */
  readonly expectServers?: number;
  /** `expectServers`, else the most meta members any server reported (`metaMembers`), else the number that answered. */
  readonly expectedServerCount: number;
  readonly servers: readonly ServerObservation[];
  readonly vantages: readonly VantageObservation[];
  readonly groups: readonly RaftGroup[];
  /** Replies that were invalid or carried an error; each becomes a finding about its server. */
  readonly problems: readonly ReplyProblem[];
  /** Every server name mentioned anywhere (answers, replica lists, routes), so a silent server can still be named. */
  readonly knownServerNames: readonly string[];
}

export interface ClockReading {
  /** Server clock minus the auditor's at the midpoint of the round trip. */
  readonly skewMs: number;
  /** Half the round trip: the true skew lies within skewMs ± uncertaintyMs. */
  readonly uncertaintyMs: number;
}

/** Identity as the server's own reply envelope gives it. */
export interface ServerObservation extends Pick<ServerInfo, 'name' | 'id' | 'host' | 'cluster' | 'domain' | 'version'> {
  /** JetStream enabled (JSZ not `disabled`). */
  readonly jetstream: boolean;
  /** This server's view of the JetStream meta group. */
  readonly meta?: MetaClusterView;
  /** Meta Raft term and state from RAFTZ (2.10.26+). */
  readonly metaTerm?: number;
  readonly metaState?: string;
  /** Fastest JSZ reply from this server across vantages. */
  readonly latencyMs: number;
  readonly clock?: ClockReading;
  /** Names of servers this one has a route to; undefined when ROUTEZ was not answered. */
  readonly routes?: readonly string[];
  /** Vantage URLs through which this server answered JSZ. */
  readonly heardVia: readonly string[];
  readonly streamsLeader?: number;
  /** JetStream API level from JSZ (`api.level`, 2.11+); undefined before 2.11. Decides step-down placement. */
  readonly apiLevel?: number | undefined;
  readonly consumersLeader?: number;
  /** Streams and consumers it hosts (any replica, R1 included), as its latest JSZ reply said. */
  readonly hostedStreams?: number;
  readonly hostedConsumers?: number;
  /** Its stream detail arrived this epoch, so the groups it leads are all in `groups`. */
  readonly detailed?: boolean;
}

export interface VantageObservation {
  readonly url: string;
  readonly connected: boolean;
  readonly serverName?: string;
  readonly error?: { readonly kind: VantageErrorKind; readonly message: string };
  /** Servers whose JSZ reply arrived through this vantage: who this vantage's server can reach. */
  readonly heard: readonly string[];
  readonly jszEnded?: 'all-expected' | 'deadline' | 'no-responders' | 'error';
  /**
   * Requests through this vantage that failed as a whole (the connection
   * dropped mid-reply, a publish was denied): one fault of the vantage, not a
   * bad reply from any server, so no server's reply is blamed for it.
   */
  readonly failedRequests: readonly { readonly endpoint: Endpoint; readonly error: string }[];
}

export type GroupKind = 'stream' | 'consumer';

export interface RaftGroup {
  readonly kind: GroupKind;
  /** The account as JSZ names it: its JWT name tag in operator mode, else its name. */
  readonly account: string;
  /** The account's real name when it differs from `account`: its public key in operator mode. */
  readonly accountId?: string;
  readonly stream: string;
  readonly consumer?: string;
  /** Cluster the group is placed in. */
  readonly cluster?: string;
  readonly leader?: string;
  /** Peers other than the leader, as the best-informed reporter saw them. */
  readonly replicas: readonly PeerView[];
  /** Server whose reply this view came from (the leader's own when it answered). */
  readonly reportedBy: string;
  /** Its counters in that reply, when the reply carried them and the server's clock (lib/load computes rates from two epochs). */
  readonly counters?: GroupCounters;
}

/** A group's counters as one server reported them. */
export interface GroupCounters {
  /** The reporting server's own clock when it built the reply (JSZ `now`), epoch ms: rates divide by the difference of two. */
  readonly at: number;
  /** RFC 3339 as sent; a change means the group was recreated and its counters restarted. */
  readonly created?: string;
  /** Stream: `state.last_seq` (every write takes one); consumer: `delivered.stream_seq`. */
  readonly seq: number;
  /** Consumer: `ack_floor.stream_seq`. */
  readonly ackFloor?: number;
  /** Stream: what it stores now; the average message size prices a write rate in bytes. */
  readonly messages?: number;
  readonly bytes?: number;
}

export interface ReplyProblem {
  readonly server?: string;
  readonly vantage: string;
  readonly endpoint: Endpoint;
  readonly problem: string;
}
