/**
 * Whether a group's leader can be handed to another server, and why not:
 * one rule for the rebalance planner (which plans only movable groups), its
 * gate (which refuses a step-down while any replica is unhealthy) and the
 * uneven_leader_distribution check (which suggests only step-downs the
 * rebalancer would make, and says why the others cannot move).
 */
import type { PeerView } from '../replies/types.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import type { RaftGroup } from './types.js';

/** Why a group is left where it is whatever the balance. */
export const UnmovableReason = {
  /** No server was named as the group's leader: nothing to step down. */
  leaderUnknown: 'leader_unknown',
  /** R1: no other replica, no election. Not counted in the leader counts either. */
  singleReplica: 'single_replica',
  /** The leader did not report the group; a follower's view of its peers is stale, so no target can be trusted. */
  noLeaderView: 'no_leader_view',
  /** No other replica is healthy (see `canLead`, by default replica-health.ts) and answering: a step-down would stall the group. */
  noCurrentReplica: 'no_current_replica',
} as const;
export type UnmovableReason = (typeof UnmovableReason)[keyof typeof UnmovableReason];

/**
 * Why a group's leader cannot move (undefined: it can), and the replicas it
 * could move to: healthy by `canLead`, other than the leader, and among
 * `answering` (servers that did not answer this epoch receive nothing).
 */
export function leaderMovability(
  group: RaftGroup,
  answering: ReadonlySet<string>,
  canLead: (replica: PeerView) => boolean = isHealthyReplica,
): { readonly reason?: UnmovableReason; readonly targets: readonly string[] } {
  if (group.leader === undefined) return { reason: UnmovableReason.leaderUnknown, targets: [] };
  if (group.replicas.length === 0) return { reason: UnmovableReason.singleReplica, targets: [] };
  // A follower's view of its peers is stale (NATS-FACTS: `current:false,
  // active:0`), and could as well call a lagging peer current.
  if (group.reportedBy !== group.leader) return { reason: UnmovableReason.noLeaderView, targets: [] };
  const targets: string[] = [];
  for (const r of group.replicas) {
    if (r.name !== group.leader && answering.has(r.name) && !targets.includes(r.name) && canLead(r)) targets.push(r.name);
  }
  return targets.length === 0 ? { reason: UnmovableReason.noCurrentReplica, targets } : { targets };
}

/**
 * Replicas a step-down could elect but should not: offline, silent or
 * lagging. Before 2.11 a step-down cannot name the next leader, so the
 * rebalancer's gate refuses to step a group down while it has any.
 */
export function unhealthyReplicas(group: RaftGroup): PeerView[] {
  return group.replicas.filter((r) => !isHealthyReplica(r));
}
