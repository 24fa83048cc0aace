/**
 * What the nats-server under test can do, asked of the server itself, so a
 * test expects what that server really does whatever its version string
 * (NATS_SERVER_BIN picks 2.9, 2.10 or the newest release). Each probe is a
 * request the auditor also makes, read independently of lib/.
 */
import { RequestStrategy, type NatsConnection } from 'nats';

const PROBE_TIMEOUT_MS = 2_000;

/** The no-responders status: nothing subscribes to the subject. */
function isNoResponders(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === '503';
}

/**
 * RAFTZ answers (2.10.26+ / 2.11.0+); older servers do not subscribe to it,
 * so the request gets a no-responders status. `sys` is a system-account
 * connection.
 */
export async function answersRaftz(sys: NatsConnection): Promise<boolean> {
  const serverId = sys.info?.server_id;
  if (!serverId) throw new Error('the connection has no server INFO yet');
  try {
    await sys.request(`$SYS.REQ.SERVER.${serverId}.RAFTZ`, new TextEncoder().encode('{}'), { timeout: PROBE_TIMEOUT_MS });
    return true;
  } catch (err) {
    if (isNoResponders(err)) return false;
    throw err;
  }
}

/**
 * The servers count their own leaders in JSZ (`streams_leader`, with
 * `raft: true`; 2.11.11+ / 2.12.1+). The count is left out when zero, so the
 * cluster must have at least one stream with a leader: then a counting
 * version reports it from the server leading it. Collects up to `servers`
 * replies of the JSZ PING through `sys` (system account).
 */
export async function countsOwnLeaders(sys: NatsConnection, servers: number): Promise<boolean> {
  const replies = await sys.requestMany('$SYS.REQ.SERVER.PING.JSZ', new TextEncoder().encode('{"raft":true}'), {
    strategy: RequestStrategy.Count,
    maxMessages: servers,
    maxWait: PROBE_TIMEOUT_MS,
  });
  let counting = false;
  for await (const msg of replies) {
    const data = (JSON.parse(new TextDecoder().decode(msg.data)) as { data?: { streams_leader?: unknown } }).data;
    if (typeof data?.streams_leader === 'number') counting = true;
  }
  return counting;
}

/**
 * The account's JetStream API level (`$JS.API.INFO` `api.level`): 0 before
 * 2.11, which introduced it together with `placement.preferred` on stream
 * and consumer step-downs. `nc` is a connection of a JetStream account.
 */
export async function jetStreamApiLevel(nc: NatsConnection): Promise<number> {
  const reply = await nc.request('$JS.API.INFO', new Uint8Array(), { timeout: PROBE_TIMEOUT_MS });
  const level = (JSON.parse(new TextDecoder().decode(reply.data)) as { api?: { level?: unknown } }).api?.level;
  return typeof level === 'number' ? level : 0;
}
