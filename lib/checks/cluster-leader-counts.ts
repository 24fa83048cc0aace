/**
 * Leaders per server for each cluster, as uneven_leader_distribution counts
 * them: one counting rule for the check that judges the counts and for what
 * shows them (the HTML report's bars, OpenMetrics, the epoch's log line), so
 * what is drawn is what was judged.
 */
import type { Observation, RaftGroup, ServerObservation } from '../observation/types.js';
import { leaderCountGaps, ownLeaderCounts, type LeaderCounts } from '../domain/leader-balance.js';
import { jetStreamClusters } from './jetstream-clusters.js';
import { describeGroup } from '../domain/group-key.js';

/** One cluster's leaders per JetStream server, as this check counts and judges them. */
export interface ClusterLeaderCounts {
  readonly cluster: string;
  /** The cluster's JetStream servers that answered. */
  readonly members: readonly ServerObservation[];
  /** Every JetStream member of the cluster that answered, leading none included. */
  readonly counts: ReadonlyMap<string, LeaderCounts>;
  readonly source: 'groups' | 'server_counts';
  /** R1 assets each server counted among its own leaders (server counts only): no election moves them. */
  readonly r1: ReadonlyMap<string, LeaderCounts>;
  /** Hot counting servers whose detail did not arrive, so their own count (an upper bound) stands. */
  readonly uncorrected: readonly string[];
  /** The replicated groups with a known leader in the detail gathered: what step-downs are chosen from. */
  readonly groups: readonly RaftGroup[];
  /**
   * Replicated groups in the detail gathered that no view names a leader of:
   * an election in progress (or a group that lost its quorum), so the counts
   * miss them and describe no placement.
   */
  readonly leaderless: readonly RaftGroup[];
}

/**
 * Leaders per server for every cluster of `minMembers` (by default two, all the
 * check judges) or more JetStream servers;
 * the check judges these and reports (the HTML report's bars) draw them,
 * so what is drawn is what was judged.
 */
export function clusterLeaderCounts(observation: Pick<Observation, 'servers' | 'groups'>, minMembers = 2): ClusterLeaderCounts[] {
  return [...jetStreamClusters(observation.servers, minMembers)].map(([cluster, members]) => {
    const detail = observation.groups.filter((g) => (g.cluster ?? '') === cluster);
    const groups = detail.filter((g) => g.leader !== undefined && g.replicas.length > 0);
    // A leaderless group's views list every peer as a replica (server: clusterInfo), so it is never mistaken for an R1 asset.
    const leaderless = detail.filter((g) => g.leader === undefined && g.replicas.length > 0);
    return { cluster, members, groups, leaderless, ...leaderCounts(members, groups) };
  });
}

/**
 * Why a cluster's counts were caught mid-election and describe no placement,
 * one line per sign, or none: the servers' own counts sum to fewer leaders
 * than one server hosts groups, or a replicated group has no leader any view
 * names. uneven_leader_distribution never judges such counts, and the epoch
 * samples again when it sees them (election-signs.ts).
 */
export function countsMidElection({ members, leaderless }: Pick<ClusterLeaderCounts, 'members' | 'leaderless'>): string[] {
  const reasons = leaderCountGaps(members, (s) => s.name).map(
    (gap) => `the servers' own counts sum to ${gap.led} ${gap.metric} leaders while ${gap.host} alone hosts ${gap.hosted}`,
  );
  if (leaderless.length > 0) {
    const more = leaderless.length > 1 ? ` and ${leaderless.length - 1} more` : '';
    reasons.push(`no server names a leader of ${describeGroup(leaderless[0]!)}${more}`);
  }
  return reasons;
}

/**
 * Leader counts per member, of movable (replicated) Raft groups on every
 * version, so the same placement gets the same verdict. Where every member
 * counts its own leaders (2.11.11+ / 2.12.1+ with raft), start from those
 * counts, which include R1 assets (the server omits a zero, so an absent
 * count is zero; when none is present at all the counts were not asked for
 * and the groups decide), then correct each member whose stream detail
 * arrived (gather asks the servers hot by their counts) to the replicated
 * groups it leads; the difference is its R1 load. A member without detail
 * keeps its own count, an upper bound, named in `uncorrected`. Otherwise
 * the replicated groups of every member's detail.
 */
function leaderCounts(
  members: readonly ServerObservation[],
  groups: readonly RaftGroup[],
): { counts: Map<string, LeaderCounts>; source: 'groups' | 'server_counts'; r1: Map<string, LeaderCounts>; uncorrected: string[] } {
  const fromGroups = new Map<string, MutableCounts>(members.map((s) => [s.name, { streams: 0, consumers: 0, total: 0 }]));
  for (const g of groups) {
    const c = fromGroups.get(g.leader!);
    if (!c) continue; // led by a server outside this cluster's answering members
    if (g.kind === 'stream') c.streams++;
    else c.consumers++;
    c.total++;
  }
  const own = ownLeaderCounts(members, (s) => s.name);
  if (!own) return { counts: fromGroups, source: 'groups', r1: new Map(), uncorrected: [] };
  const counts = new Map<string, LeaderCounts>();
  const r1 = new Map<string, LeaderCounts>();
  const uncorrected: string[] = [];
  for (const m of members) {
    const reported = own.get(m.name)!;
    if (!m.detailed) {
      counts.set(m.name, reported);
      uncorrected.push(m.name);
      continue;
    }
    // Never above its own count: a detail view can be older than the count
    // (a group it led moments ago), and the count includes every group it leads.
    const fromDetail = fromGroups.get(m.name)!;
    const movable = {
      streams: Math.min(fromDetail.streams, reported.streams),
      consumers: Math.min(fromDetail.consumers, reported.consumers),
      total: 0,
    };
    movable.total = movable.streams + movable.consumers;
    counts.set(m.name, movable);
    const streams = Math.max(0, reported.streams - movable.streams);
    const consumers = Math.max(0, reported.consumers - movable.consumers);
    if (streams + consumers > 0) r1.set(m.name, { streams, consumers, total: streams + consumers });
  }
  return { counts, source: 'server_counts', r1, uncorrected };
}

interface MutableCounts {
  streams: number;
  consumers: number;
  total: number;
}
