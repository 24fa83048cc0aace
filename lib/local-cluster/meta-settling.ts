/**
 * Waiting for a cluster's meta group to settle, shared by every harness
 * that starts servers (the local cluster, the operator-mode cluster in the
 * tests): one leader every asked server names, hearing them all (each
 * since its process started), and a fresh STATSZ from each at that leader.
 * Servers hit by 2.10.23+'s dropped Raft sends (raft-sends.ts) never join;
 * they are found and restarted.
 */
import type { NatsConnection } from 'nats';
import { MetaLeaderTimeoutError } from './errors.js';
import { leadersOf, metaAgreement, silentSuspects, type ProcessStarts } from './meta-agreement.js';
import { metaViewOf, type MetaView } from './meta-view.js';
import { ownRaftSends } from './raft-sends.js';
import type { ServerProcess } from './server-process.js';
import { refreshStatsz } from './statsz-refresh.js';
import { sleep } from '../util/sleep.js';

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
  /**
   * Time a restarted server is given to settle whatever the budget left: a
   * start (~2 s), the longest election timeout (9 s) and one STATSZ
   * heartbeat (11 s above). A restart is a new process that may itself
   * come up silent (about one start in eight on 2.10.23+): the caller's
   * budget, sized for one start, cannot also hold the probes (10 s) and
   * restarts that find and replace it.
   */
  afterRestartMs: 25_000,
  /** Most a wait may run past the caller's budget because of restarts: two restarts' worth. */
  maxRestartExtensionMs: 50_000,
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

/**
 * The settled meta leader's name; throws MetaLeaderTimeoutError, with the
 * last views, the reason and what was done meanwhile, once `timeoutMs` has
 * passed, or later when servers were restarted: each restart gives the
 * cluster {@link META_SETTLING.afterRestartMs} from then, up to
 * {@link META_SETTLING.maxRestartExtensionMs} past `timeoutMs`.
 */
export async function waitForSettledMeta(target: MetaSettlingTarget, timeoutMs: number): Promise<string> {
  let views = new Map<string, MetaView | undefined>();
  let reason: string | undefined;
  /** What the wait found and did about silent servers, for the error: a timeout must be explainable from its message. */
  const actions: string[] = [];
  const started = Date.now();
  let deadline = started + timeoutMs;
  const latest = deadline + META_SETTLING.maxRestartExtensionMs;
  for (;;) {
    const asked = target.asked();
    const read = await Promise.all(asked.map((s) => target.probe(s, metaViewOf)));
    views = new Map(asked.map((s, i) => [s.name, read[i]]));
    const starts: ProcessStarts = new Map(asked.flatMap((s) => (s.startedAt === undefined ? [] : [[s.name, s.startedAt] as const])));
    const agreement = metaAgreement(views, starts);
    if ('unsettled' in agreement) {
      reason = agreement.unsettled;
      const restarts = await restartSilentServers(target, views, starts);
      actions.push(...restarts.actions);
      if (restarts.restarted > 0) deadline = Math.min(latest, Math.max(deadline, Date.now() + META_SETTLING.afterRestartMs));
    } else {
      const names = asked.map((s) => s.name);
      const at = asked.find((s) => s.name === agreement.leader)!;
      const unheard = await target.probe(at, (nc) => refreshStatsz(nc, names, META_SETTLING.statszTimeoutMs));
      if (unheard?.length === 0) return agreement.leader;
      reason = `${agreement.leader} ${unheard === undefined ? 'did not answer' : `relayed no STATSZ from ${unheard.join(', ')}`}`;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new MetaLeaderTimeoutError(Date.now() - started, leadersOf(views), reason, actions);
    await sleep(Math.min(META_SETTLING.pollIntervalMs, left));
  }
}

/**
 * Restart each suspect server (see `silentSuspects`) whose own Raft
 * messages are proven never to leave it (2.10.23+ before 2.11, see
 * `ownRaftSends`). Not a retry: that process cannot rejoin by itself, and
 * only a new process gets a working send queue. A server merely not heard
 * yet proves its sends within an election timeout and is left alone.
 */
async function restartSilentServers(
  target: MetaSettlingTarget,
  views: ReadonlyMap<string, MetaView | undefined>,
  starts: ProcessStarts,
): Promise<{ restarted: number; actions: string[] }> {
  const running = target.running();
  const suspects = silentSuspects(views, starts).flatMap((name) => running.filter((s) => s.name === name));
  if (suspects.length === 0) return { restarted: 0, actions: [] };
  const others = (name: string): string[] => running.map((s) => s.name).filter((n) => n !== name);
  const sends = await Promise.all(
    suspects.map((s) => target.probe(s, (nc) => ownRaftSends(nc, s.name, others(s.name), META_SETTLING.raftSendsTimeoutMs))),
  );
  let restarted = 0;
  for (const [i, s] of suspects.entries()) {
    if (sends[i] !== 'dropped') continue;
    await target.restart(s);
    restarted++;
  }
  const verdicts = suspects.map((s, i) => `${s.name}: ${sends[i] ?? 'no answer'}${sends[i] === 'dropped' ? ' (restarted)' : ''}`);
  return { restarted, actions: [`Raft sends of ${verdicts.join(', ')}`] };
}
