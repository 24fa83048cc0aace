import type { MetaView } from './meta-view.js';

/**
 * A follower the leader heard from within this long is receiving its
 * heartbeats. One that lost them, e.g. while a healed route is still
 * redialling, may time out and call an election that deposes the leader
 * everyone just agreed on. 2.9 reports a current follower as heard within
 * ~1 s (heartbeats every second), but an idle 2.10.27 meta leader was seen
 * reporting current followers last heard 4-6 s ago, so the bound sits under
 * the 10 s after which a leader gives up on a silent quorum (server/raft.go).
 */
export const PEER_ACTIVE_MAX_MS = 8_000;

/** Server name -> the meta leader it names (undefined: none, or no answer). */
export function leadersOf(views: ReadonlyMap<string, MetaView | undefined>): Record<string, string | undefined> {
  return Object.fromEntries([...views].map(([name, view]) => [name, view?.leader]));
}

/**
 * The leader every asked server names, provided it is one of them and
 * currently hears from all the others; undefined otherwise. Requiring the
 * leader among the asked servers keeps a cut-off minority's stale leader
 * from passing for an election.
 */
export function settledLeader(views: ReadonlyMap<string, MetaView | undefined>): string | undefined {
  const leaders = new Set([...views.values()].map((v) => v?.leader));
  const [leader] = leaders;
  if (leaders.size !== 1 || leader === undefined) return undefined;
  const own = views.get(leader);
  if (!own) return undefined;
  for (const name of views.keys()) {
    if (name === leader) continue;
    const peer = own.peers.find((p) => p.name === name);
    if (!peer?.current || peer.offline || peer.activeMs > PEER_ACTIVE_MAX_MS) return undefined;
  }
  return leader;
}
