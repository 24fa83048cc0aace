import type { PeerView } from '../replies/types.js';

/**
 * A follower under write load is rarely `current` at the instant of a sample
 * (the leader marks it current only when it has applied every entry), so
 * `current` alone would call every busy group lagging. A replica counts as
 * healthy when it is online, was heard from within a few Raft heartbeats
 * (1 s each) and is at most a few entries behind.
 */
export const REPLICA_HEALTH = {
  /** Heard from within this long (ns): three missed heartbeats. */
  maxSilenceNs: 3_000_000_000,
  /** Raft entries behind the leader still considered in step. */
  maxLag: 100,
} as const;

export function isHealthyReplica(peer: PeerView): boolean {
  if (peer.offline) return false;
  if (peer.current) return true;
  // A follower's stale view reports active 0: only a leader's own view reaches here (see merge-groups).
  return (peer.activeNs ?? Number.POSITIVE_INFINITY) <= REPLICA_HEALTH.maxSilenceNs && (peer.lag ?? 0) <= REPLICA_HEALTH.maxLag;
}
