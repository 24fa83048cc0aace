import type { NatsConnection } from 'nats';
import { nodeIdOf, nrgSenderOf } from './nrg-sender.js';

/**
 * Do the meta-group Raft messages of the server `systemConnection` is on
 * leave that server at all?
 *
 * Why: nats-server 2.10.23 to 2.10.x sends all Raft traffic through one
 * queue whose goroutine registers its client with `s.SystemAccount()` as it
 * starts (server/sendq.go:48 at v2.10.27). `setSystemAccount` starts that
 * goroutine (server.go:1705) before it stores the account that call reads
 * (server.go:1715), so now and then the client gets no account, and
 * `processInboundClientMsg` drops every message it is handed (client.go:3861,
 * `c.acc == nil`). Such a server still hears the leader and names it, but
 * the leader never hears it: it stays out of the meta group for as long as
 * the process lives, since the registration is never retried. (2.9 reads the
 * account under the lock setSystemAccount holds; 2.11 hands the account to
 * the queue.) Seen here in about one 3-server start in eight.
 *
 * The proof is local: a subscriber on the same server receives that
 * server's own messages without any route, so if it sees other members'
 * messages and none from the server itself, its sends are dropped. Cut
 * links do not matter for the same reason.
 *
 * - 'sent': a message from `serverName` was seen;
 * - 'dropped': messages from one of `others` arrived but none from
 *   `serverName` within `timeoutMs`. A working server sends within one
 *   election timeout (under 9 s): a follower answers every heartbeat (1 s)
 *   or asks again every 2 to 3 s while catching up, a leader sends
 *   heartbeats, and without a leader every server either answers a vote
 *   request or campaigns itself;
 * - 'unknown': nothing conclusive (no message from the others either).
 */
export async function ownRaftSends(
  systemConnection: NatsConnection,
  serverName: string,
  others: readonly string[],
  timeoutMs: number,
): Promise<'sent' | 'dropped' | 'unknown'> {
  const own = nodeIdOf(serverName);
  const otherIds = new Set(others.map(nodeIdOf));
  let othersSeen = false;
  const sub = systemConnection.subscribe('$NRG.>');
  const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
  try {
    for await (const msg of sub) {
      const sender = nrgSenderOf(msg.subject, msg.data);
      if (sender === own) return 'sent';
      if (sender !== undefined && otherIds.has(sender)) othersSeen = true;
    }
    return othersSeen ? 'dropped' : 'unknown';
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}
