import type { NatsConnection } from 'nats';
import * as z from 'zod';
import { API_TIMEOUT_MS } from './raft-groups.js';

/**
 * The JetStream API level from which a stream or consumer step-down honours
 * `placement.preferred`: both arrived in 2.11.0 (level 1); 2.12 is 2, 2.14 is 4.
 */
export const PREFERRED_STEP_DOWN_API_LEVEL = 1;

const AccountInfoReply = z.object({ api: z.object({ level: z.number().int().nonnegative().optional() }).optional() });

/**
 * The JetStream API level of the server `nc` (a JetStream account's
 * connection) is on, from `$JS.API.INFO`; 0 for servers before 2.11, which
 * do not report one.
 */
export async function jetStreamApiLevel(nc: NatsConnection): Promise<number> {
  const reply = await nc.request('$JS.API.INFO', new Uint8Array(), { timeout: API_TIMEOUT_MS });
  return AccountInfoReply.parse(JSON.parse(new TextDecoder().decode(reply.data))).api?.level ?? 0;
}

/** The server `nc` is on lets a step-down name the next leader. */
export async function stepDownNamesLeader(nc: NatsConnection): Promise<boolean> {
  return (await jetStreamApiLevel(nc)) >= PREFERRED_STEP_DOWN_API_LEVEL;
}
