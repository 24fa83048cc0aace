import type { ConsumerView, JszData, StreamView, RaftGroupClusterView } from '../replies/types.js';
import type { GroupCounters, RaftGroup } from './types.js';

export interface GroupSource {
  readonly server: string;
  readonly cluster?: string;
  readonly data: JszData;
}

/** Where a stream's group and its consumers' groups sit in the result. */
interface StreamSlot {
  readonly index: number;
  readonly consumers: Map<string, number>;
}

/**
 * Each server reports the streams and consumers it hosts, so a replicated
 * group appears once per replica. A follower's view of its peers is stale
 * (NATS-FACTS: `current:false, active:0`), so the leader's own report wins;
 * without it, the first report seen stands in. Groups come out in the order
 * they were first reported.
 */
export function mergeGroups(sources: readonly GroupSource[]): RaftGroup[] {
  const merged: RaftGroup[] = [];
  // Nested by account and stream: a 50k-stream epoch offers ~600k views, and a joined key per offer costs more than the rest.
  const byAccount = new Map<string, Map<string, StreamSlot>>();
  for (const source of sources) {
    for (const stream of source.data.streams) {
      let byStream = byAccount.get(stream.account);
      if (byStream === undefined) byAccount.set(stream.account, (byStream = new Map()));
      let slot = byStream.get(stream.name);
      if (slot === undefined) {
        slot = { index: merged.push(streamGroup(stream, source)) - 1, consumers: new Map() };
        byStream.set(stream.name, slot);
      } else if (replaces(merged[slot.index]!, stream.cluster, source.server)) {
        merged[slot.index] = streamGroup(stream, source);
      }
      for (const consumer of stream.consumers) {
        const at = slot.consumers.get(consumer.name);
        if (at === undefined) slot.consumers.set(consumer.name, merged.push(consumerGroup(stream, consumer, source)) - 1);
        else if (replaces(merged[at]!, consumer.cluster, source.server)) merged[at] = consumerGroup(stream, consumer, source);
      }
    }
  }
  return merged;
}

function streamGroup(stream: StreamView, source: GroupSource): RaftGroup {
  return {
    kind: 'stream',
    ...accountOf(stream),
    stream: stream.name,
    cluster: stream.cluster?.name ?? source.cluster,
    leader: leaderOf(stream.cluster),
    replicas: stream.cluster?.replicas ?? [],
    reportedBy: source.server,
    ...streamCounters(stream, source.data.now),
  };
}

function streamCounters(stream: StreamView, at: number | undefined): { counters?: GroupCounters } {
  const seq = stream.state?.lastSeq;
  if (at === undefined || seq === undefined) return {};
  const { messages, bytes } = stream.state!;
  return { counters: { at, seq, ...(stream.created === undefined ? {} : { created: stream.created }), ...(messages === undefined ? {} : { messages }), ...(bytes === undefined ? {} : { bytes }) } };
}

function consumerCounters(consumer: ConsumerView, at: number | undefined): { counters?: GroupCounters } {
  const seq = consumer.deliveredStreamSeq;
  if (at === undefined || seq === undefined) return {};
  const ackFloor = consumer.ackFloorStreamSeq;
  return { counters: { at, seq, ...(consumer.created === undefined ? {} : { created: consumer.created }), ...(ackFloor === undefined ? {} : { ackFloor }) } };
}

function consumerGroup(stream: StreamView, consumer: ConsumerView, source: GroupSource): RaftGroup {
  return {
    kind: 'consumer',
    ...accountOf(stream),
    stream: stream.name,
    consumer: consumer.name,
    cluster: consumer.cluster?.name ?? stream.cluster?.name ?? source.cluster,
    leader: leaderOf(consumer.cluster),
    replicas: consumer.cluster?.replicas ?? [],
    reportedBy: source.server,
    ...consumerCounters(consumer, source.data.now),
  };
}

/** The account's name, and its id (a public key in operator mode) when that differs: acting in the account needs either. */
function accountOf(stream: StreamView): Pick<RaftGroup, 'account' | 'accountId'> {
  return stream.accountId === undefined || stream.accountId === stream.account
    ? { account: stream.account }
    : { account: stream.account, accountId: stream.accountId };
}

function leaderOf(cluster: RaftGroupClusterView | undefined): string | undefined {
  return cluster?.leader ? cluster.leader : undefined;
}

/**
 * Whether a report of the group's cluster view, by `reportedBy`, replaces the
 * one held. A server whose replica has no Raft node yet (still being created
 * or caught up) names itself leader and lists no peers (server: clusterInfo),
 * as an R1 asset's host does: a view listing peers of the same group outranks
 * it, so a replicated group is never taken for an R1 asset nor given that leader.
 */
function replaces(existing: RaftGroup, offered: RaftGroupClusterView | undefined, reportedBy: string): boolean {
  const offeredPeers = offered?.replicas?.length ?? 0;
  if (existing.replicas.length > 0 && offeredPeers === 0) return false;
  if (existing.replicas.length === 0 && offeredPeers > 0) return true;
  const leader = leaderOf(offered);
  const existingIsLeaders = existing.leader !== undefined && existing.reportedBy === existing.leader;
  const offeredIsLeaders = leader !== undefined && reportedBy === leader;
  if (offeredIsLeaders && !existingIsLeaders) return true;
  return existing.leader === undefined && leader !== undefined;
}
