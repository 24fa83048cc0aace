import type { Observation, ServerObservation } from '../observation/types.js';
import { groupBy } from '../util/group-by.js';
import { compareText } from '../util/compare-text.js';
import { metaMembers } from '../replies/meta-members.js';

/** The servers of one JetStream meta group: everything in one domain shares it. */
export interface MetaGroup {
  /** Domain name, or `default` when the servers have none. */
  readonly key: string;
  readonly servers: readonly ServerObservation[];
  /** Meta group size as the servers report it (largest `cluster_size`, or the members the leader lists), else the number answering. */
  readonly size: number;
  readonly quorum: number;
}

export function metaGroups(observation: Observation): MetaGroup[] {
  const byKey = groupBy(observation.servers, (s) => (s.jetstream && s.meta ? s.domain || 'default' : undefined));
  return [...byKey.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, servers]) => {
      const size = Math.max(servers.length, ...servers.map((s) => (s.meta ? metaMembers(s.meta) : 0)));
      return { key, servers, size, quorum: quorumOf(size) };
    });
}

export function quorumOf(size: number): number {
  return Math.floor(size / 2) + 1;
}

/** The leader the most servers of the group report; null when most report none or there is a tie. */
export function prevailingLeader(group: MetaGroup): string | null {
  const votes = new Map<string, number>();
  for (const s of group.servers) {
    const leader = s.meta?.leader ?? '';
    votes.set(leader, (votes.get(leader) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestVotes = 0;
  let tie = false;
  for (const [leader, count] of votes) {
    if (count > bestVotes) {
      best = leader;
      bestVotes = count;
      tie = false;
    } else if (count === bestVotes) {
      tie = true;
    }
  }
  return tie || !best ? null : best;
}

/**
 * Who can reach whom, as seen through each vantage: a server's vantage hears
 * exactly the servers its routes connect it to. Several distinct sets among
 * the vantages that answered mean the cluster is split.
 */
export interface PartitionShape {
  readonly partitioned: boolean;
  /** Per vantage server: the servers it could reach. */
  readonly reach: Readonly<Record<string, readonly string[]>>;
  /** Distinct reachable sets, largest first. */
  readonly sides: readonly (readonly string[])[];
}

export function partitionShape(observation: Observation, members?: ReadonlySet<string>): PartitionShape {
  const reach: Record<string, string[]> = {};
  const sides = new Map<string, string[]>();
  for (const v of observation.vantages) {
    if (!v.connected || !v.serverName || v.heard.length === 0) continue;
    if (members && !members.has(v.serverName)) continue;
    const heard = members ? v.heard.filter((n) => members.has(n)) : [...v.heard];
    reach[v.serverName] = heard;
    sides.set(heard.join(','), heard);
  }
  const sorted = [...sides.values()].sort((a, b) => b.length - a.length || compareText(a.join(), b.join()));
  return { partitioned: sorted.length > 1, reach, sides: sorted };
}

export function describeSides(shape: PartitionShape): string {
  return shape.sides.map((side) => `{${side.join(', ')}}`).join(' | ');
}
