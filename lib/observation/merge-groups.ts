import type { JszData, StreamView, RaftGroupClusterView } from '../replies/types.js';
import type { RaftGroup } from './types.js';

export interface GroupSource {
  readonly server: string;
  readonly cluster?: string;
  readonly data: JszData;
}

/**
 * Each server reports the streams and consumers it hosts, so a replicated
 * group appears once per replica. A follower's view of its peers is stale
 * (NATS-FACTS: `current:false, active:0`), so the leader's own report wins;
 * without it, the first report seen stands in.
 */
export function mergeGroups(sources: readonly GroupSource[]): RaftGroup[] {
  const merged = new Map<string, RaftGroup>();
  for (const source of sources) {
    for (const stream of source.data.streams) {
      offer(merged, `s\u0000${stream.account}\u0000${stream.name}`, streamGroup(stream, source));
      for (const consumer of stream.consumers) {
        const group: RaftGroup = {
          kind: 'consumer',
          account: stream.account,
          stream: stream.name,
          consumer: consumer.name,
          cluster: consumer.cluster?.name ?? stream.cluster?.name ?? source.cluster,
          leader: leaderOf(consumer.cluster),
          replicas: consumer.cluster?.replicas ?? [],
          reportedBy: source.server,
        };
        offer(merged, `c\u0000${stream.account}\u0000${stream.name}\u0000${consumer.name}`, group);
      }
    }
  }
  return [...merged.values()];
}

function streamGroup(stream: StreamView, source: GroupSource): RaftGroup {
  return {
    kind: 'stream',
    account: stream.account,
    stream: stream.name,
    cluster: stream.cluster?.name ?? source.cluster,
    leader: leaderOf(stream.cluster),
    replicas: stream.cluster?.replicas ?? [],
    reportedBy: source.server,
  };
}

function leaderOf(cluster: RaftGroupClusterView | undefined): string | undefined {
  return cluster?.leader ? cluster.leader : undefined;
}

function offer(merged: Map<string, RaftGroup>, key: string, group: RaftGroup): void {
  const existing = merged.get(key);
  if (!existing) {
    merged.set(key, group);
    return;
  }
  const existingIsLeaders = existing.leader !== undefined && existing.reportedBy === existing.leader;
  const offeredIsLeaders = group.leader !== undefined && group.reportedBy === group.leader;
  if (offeredIsLeaders && !existingIsLeaders) merged.set(key, group);
  else if (existing.leader === undefined && group.leader !== undefined) merged.set(key, group);
}
