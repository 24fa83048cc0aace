import type { NatsConnection } from 'nats';
import type * as z from 'zod';

const REQUEST_TIMEOUT_MS = 2_000;

/**
 * Ask the server `systemConnection` is on, and only it, for a monitoring
 * endpoint, so the answer is its own even when it is partitioned from the
 * rest; the reply is parsed with `schema` (only what the harness needs).
 */
export async function askOwnServer<T>(systemConnection: NatsConnection, endpoint: 'JSZ' | 'ROUTEZ' | 'VARZ', schema: z.ZodType<T>): Promise<T> {
  const serverId = systemConnection.info?.server_id;
  if (!serverId) throw new Error('connection has no server INFO yet');
  const reply = await systemConnection.request(`$SYS.REQ.SERVER.${serverId}.${endpoint}`, new TextEncoder().encode('{}'), {
    timeout: REQUEST_TIMEOUT_MS,
  });
  return schema.parse(JSON.parse(new TextDecoder().decode(reply.data)));
}
