import type { MetaView } from './meta-view.js';
import { metaMembers } from '../replies/meta-members.js';

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
 * Server name -> when its running process was spawned (epoch ms). A leader
 * keeps a restarted peer's last message from the old process, current and
 * recently heard for a while, so only a message heard after this start
 * shows the new process has joined.
 */
export type ProcessStarts = ReadonlyMap<string, number>;

/** Whether `leaderView` lists `name` and heard it since its process started (when that is known). */
function heardSinceStart(leaderView: MetaView, name: string, started: ProcessStarts): boolean {
  const peer = leaderView.peers.find((p) => p.name === name);
  if (!peer) return false;
  const since = started.get(name);
  return since === undefined || peer.heardAt === undefined || peer.heardAt >= since;
}

/** Either the leader everyone settled on, or why there is none yet (for the timeout's message). */
export type MetaAgreement = { readonly leader: string } | { readonly unsettled: string };

/**
 * The leader every asked server names, provided it is one of them and
 * currently hears from all the others. Requiring the leader among the
 * asked servers keeps a cut-off minority's stale leader from passing for
 * an election.
 */
export function metaAgreement(views: ReadonlyMap<string, MetaView | undefined>, started: ProcessStarts = new Map()): MetaAgreement {
  const leaders = new Set([...views.values()].map((v) => v?.leader));
  const [leader] = leaders;
  if (leaders.size !== 1) return { unsettled: 'the servers name different leaders' };
  if (leader === undefined) return { unsettled: 'no server names a leader' };
  const own = views.get(leader);
  if (!own) return { unsettled: `they name ${leader}, which is not among them or did not answer` };
  // The auditor ends a PING once as many servers replied as the most meta members any reply
  // reported (`metaMembers`); while every view still counts fewer than are asked, tests would miss
  // some replies. (One 2.10.27 server was seen counting 4 of 5 for 30 s, so not every server.
  // On 2.9.10 every `cluster_size` can stay 2 of 3 for good; the leader's peer list counts then.)
  const counted = Math.max(
    ...[...views.values()].map((v) => (v === undefined || v.clusterSize === undefined ? Number.POSITIVE_INFINITY : metaMembers({ ...v, replicas: v.peers }))),
  );
  if (counted < views.size) return { unsettled: `no server counts more than ${counted} servers in the meta group, fewer than the ${views.size} asked` };
  for (const name of views.keys()) {
    if (name === leader) continue;
    const peer = own.peers.find((p) => p.name === name);
    if (!peer) return { unsettled: `${leader} does not list ${name} among its peers` };
    if (!heardSinceStart(own, name, started)) return { unsettled: `${leader} has not heard ${name} since it was started` };
    if (!peer.current || peer.offline) return { unsettled: `${leader} reports ${name} ${peer.offline ? 'offline' : 'not current'}` };
    if (peer.activeMs > PEER_ACTIVE_MAX_MS) return { unsettled: `${leader} last heard ${name} ${Math.round(peer.activeMs)} ms ago` };
  }
  return { leader };
}

/**
 * Servers whose own Raft messages may never leave them (see
 * `raft-sends.ts`): those that name the leader every asked server names
 * while it has not heard them since they started (it does not list them, or
 * lists only what their previous process sent), or, when no server names any
 * leader, all of them (two such servers of three leave no quorum to elect one).
 */
export function silentSuspects(views: ReadonlyMap<string, MetaView | undefined>, started: ProcessStarts = new Map()): string[] {
  const leaders = new Set([...views.values()].map((v) => v?.leader));
  const [leader] = leaders;
  if (leaders.size !== 1) return [];
  if (leader === undefined) return [...views.keys()];
  const own = views.get(leader);
  if (!own) return [];
  return [...views.keys()].filter((name) => name !== leader && !heardSinceStart(own, name, started));
}
