import type { NatsConnection } from 'nats';
import * as z from 'zod';

const StatszMessage = z.object({ server: z.object({ name: z.string() }) });

/**
 * Make every reachable server broadcast its STATSZ now, and wait until the
 * server `systemConnection` is on has relayed one from each of `servers`.
 * Returns the servers not heard within `timeoutMs` (empty: all were).
 *
 * Why: a 2.9 meta leader places new replicated streams only on peers whose
 * last STATSZ carried their JetStream state, and STATSZ backs off to
 * seconds apart after startup. A peer that was cut off while those early
 * messages went out stays "offline" for placement ("no suitable peers for
 * placement, peer offline", 10005) until its next one. A PING published
 * without a reply subject makes each server answer on its broadcast subject
 * (`statszReq` in server/events.go), which every peer consumes.
 */
export async function refreshStatsz(
  systemConnection: NatsConnection,
  servers: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const waiting = new Set(servers);
  const sub = systemConnection.subscribe('$SYS.SERVER.*.STATSZ');
  const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
  try {
    await systemConnection.flush();
    requestStatszBroadcast(systemConnection);
    for await (const msg of sub) {
      const parsed = StatszMessage.safeParse(JSON.parse(new TextDecoder().decode(msg.data)));
      if (parsed.success) waiting.delete(parsed.data.server.name);
      if (waiting.size === 0) break;
    }
    return [...waiting].sort();
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}

/** Make every server reachable from `systemConnection` broadcast its STATSZ, without waiting. */
function requestStatszBroadcast(systemConnection: NatsConnection): void {
  systemConnection.publish('$SYS.REQ.SERVER.PING.STATSZ');
}
