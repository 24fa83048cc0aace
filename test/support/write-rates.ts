/**
 * Per-server write rates as the servers themselves report them, read
 * independently of lib/: two JSZ PINGs with stream detail, each stream's
 * `state.last_seq` taken from the reply of the server leading it, divided
 * by the difference of that server's own `now`.
 */
import { RequestStrategy, type NatsConnection } from 'nats';

const JSZ_TIMEOUT_MS = 3_000;

interface StreamReading {
  readonly leader: string;
  readonly lastSeq: number;
  /** The leader's clock, epoch ms. */
  readonly now: number;
}

interface JszDetail {
  server: { name: string };
  data: { now: string; account_details?: { stream_detail?: { name: string; cluster?: { leader?: string }; state: { last_seq: number } }[] }[] };
}

/** Each stream as its own leader reports it; `servers` replies collected at most. */
export async function readStreams(sys: NatsConnection, servers: number): Promise<Map<string, StreamReading>> {
  const replies = await sys.requestMany('$SYS.REQ.SERVER.PING.JSZ', new TextEncoder().encode('{"accounts":true,"streams":true}'), {
    strategy: RequestStrategy.Count,
    maxMessages: servers,
    maxWait: JSZ_TIMEOUT_MS,
  });
  const readings = new Map<string, StreamReading>();
  for await (const msg of replies) {
    const { server, data } = JSON.parse(new TextDecoder().decode(msg.data)) as JszDetail;
    for (const account of data.account_details ?? []) {
      for (const s of account.stream_detail ?? []) {
        if (s.cluster?.leader === server.name) readings.set(s.name, { leader: server.name, lastSeq: s.state.last_seq, now: Date.parse(data.now) });
      }
    }
  }
  return readings;
}

/**
 * Messages written per second per server between two readings, summed over
 * the streams each led at both (a stream that changed leader in between is
 * left out and named).
 */
export function writeRates(before: ReadonlyMap<string, StreamReading>, after: ReadonlyMap<string, StreamReading>): { perServer: Map<string, number>; moved: string[] } {
  const perServer = new Map<string, number>();
  const moved: string[] = [];
  for (const [stream, b] of before) {
    const a = after.get(stream);
    if (a === undefined || a.leader !== b.leader) {
      moved.push(stream);
      continue;
    }
    const rate = ((a.lastSeq - b.lastSeq) * 1000) / Math.max(1, a.now - b.now);
    perServer.set(a.leader, (perServer.get(a.leader) ?? 0) + rate);
  }
  return { perServer, moved };
}
