/**
 * Waiting for a cluster's meta group to settle, shared by every harness
 * that starts servers (the local cluster, the operator-mode cluster in the
 * tests): one leader every asked server names, hearing them all, and a
 * fresh STATSZ from each at that leader. Servers hit by 2.10.23+'s dropped
 * Raft sends (raft-sends.ts) never join; they are found and restarted.
 */
import type { NatsConnection } from 'nats';
import { MetaLeaderTimeoutError } from './errors.js';
import { leadersOf, metaAgreement, silentSuspects } from './meta-agreement.js';
import { metaViewOf, type MetaView } from './meta-view.js';
import { ownRaftSends } from './raft-sends.js';
import type { ServerProcess } from './server-process.js';
import { refreshStatsz } from './statsz-refresh.js';
import { pollUntil } from '../util/poll.js';

export const META_SETTLING = {
  /** Meta views change on Raft heartbeats (1 s); polling faster only adds load. */
  pollIntervalMs: 250,
  /**
   * Budget for every server's STATSZ to reach the leader. 2.9 and 2.15 answer
   * the refresh PING at once; 2.10.27 was seen not to (its STATSZ broadcasts
   * are rate-limited), so the wait must outlast one regular STATSZ heartbeat
   * (`statsHBInterval`, 10 s in server/events.go) for every server to be heard.
   */
  statszTimeoutMs: 11_000,
  /** Past the longest election timeout (9 s, server/raft.go): by then a working server has sent something. */
  raftSendsTimeoutMs: 10_000,
} as const;

export interface MetaSettlingTarget {
  /** The servers that must agree, read on every poll (a restart may change which run). */
  asked(): readonly ServerProcess[];
  /** Every running server: a suspect's Raft sends are looked for among these others' messages. */
  running(): readonly ServerProcess[];
  /** `body` on a system-account connection to `server`; undefined when it cannot connect or `body` throws. */
  probe<T>(server: ServerProcess, body: (nc: NatsConnection) => Promise<T>): Promise<T | undefined>;
  /** Stop `server` and start it again, its store kept. */
  restart(server: ServerProcess): Promise<void>;
}

/** The settled meta leader's name; throws MetaLeaderTimeoutError, with the last views and reason, after `timeoutMs`. */
export async function waitForSettledMeta(target: MetaSettlingTarget, timeoutMs: number): Promise<string> {
  let views = new Map<string, MetaView | undefined>();
  let reason: string | undefined;
  const leader = await pollUntil(
    async () => {
      const asked = target.asked();
      const read = await Promise.all(asked.map((s) => target.probe(s, metaViewOf)));
      views = new Map(asked.map((s, i) => [s.name, read[i]]));
      const agreement = metaAgreement(views);
      if ('unsettled' in agreement) {
        reason = agreement.unsettled;
        await restartSilentServers(target, views);
        return undefined;
      }
      const names = asked.map((s) => s.name);
      const at = asked.find((s) => s.name === agreement.leader)!;
      const unheard = await target.probe(at, (nc) => refreshStatsz(nc, names, META_SETTLING.statszTimeoutMs));
      if (unheard?.length === 0) return agreement.leader;
      reason = `${agreement.leader} ${unheard === undefined ? 'did not answer' : `relayed no STATSZ from ${unheard.join(', ')}`}`;
      return undefined;
    },
    { timeoutMs, intervalMs: META_SETTLING.pollIntervalMs },
  );
  if (leader === undefined) throw new MetaLeaderTimeoutError(timeoutMs, leadersOf(views), reason);
  return leader;
}

/**
 * Restart each suspect server (see `silentSuspects`) whose own Raft
 * messages are proven never to leave it (2.10.23+ before 2.11, see
 * `ownRaftSends`). Not a retry: that process cannot rejoin by itself, and
 * only a new process gets a working send queue. A server merely not heard
 * yet proves its sends within an election timeout and is left alone.
 */
async function restartSilentServers(target: MetaSettlingTarget, views: ReadonlyMap<string, MetaView | undefined>): Promise<void> {
  const running = target.running();
  const suspects = silentSuspects(views).flatMap((name) => running.filter((s) => s.name === name));
  const others = (name: string): string[] => running.map((s) => s.name).filter((n) => n !== name);
  const sends = await Promise.all(
    suspects.map((s) => target.probe(s, (nc) => ownRaftSends(nc, s.name, others(s.name), META_SETTLING.raftSendsTimeoutMs))),
  );
  for (const [i, s] of suspects.entries()) {
    if (sends[i] === 'dropped') await target.restart(s);
  }
}
