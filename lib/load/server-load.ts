/**
 * Per-server load of one cluster: the rates of the replicated groups each
 * server leads, summed. Pure. The decisive figure is `writes`, stream
 * messages written per second: every write goes through the stream's
 * leader (it proposes the entry to its followers and answers the
 * publisher), so it is the work leadership concentrates. Bytes per second
 * and consumer deliveries are reported beside it.
 */
import type { GroupRate } from './group-rates.js';

export interface ServerLoad {
  readonly server: string;
  /** Stream messages written per second, summed over the streams it leads: the figure judged and balanced. */
  readonly writes: number;
  readonly bytesPerSecond: number;
  /** Consumer deliveries per second, summed over the consumers it leads. */
  readonly deliveries: number;
  /** Replicated streams it leads that have a rate. */
  readonly streams: number;
  /** Its streams with a rate, busiest first. */
  readonly busiest: readonly GroupRate[];
}

export function serverLoads(members: readonly string[], rates: readonly GroupRate[]): Map<string, ServerLoad> {
  const acc = new Map(members.map((m) => [m, { writes: 0, bytesPerSecond: 0, deliveries: 0, led: [] as GroupRate[] }]));
  for (const r of rates) {
    const a = acc.get(r.group.leader!);
    if (a === undefined) continue; // led outside the answering members
    if (r.group.kind === 'stream') {
      a.writes += r.messagesPerSecond;
      a.bytesPerSecond += r.bytesPerSecond ?? 0;
      a.led.push(r);
    } else {
      a.deliveries += r.messagesPerSecond;
    }
  }
  return new Map(
    [...acc].map(([server, a]) => [
      server,
      {
        server,
        writes: a.writes,
        bytesPerSecond: a.bytesPerSecond,
        deliveries: a.deliveries,
        streams: a.led.length,
        busiest: a.led.sort((x, y) => y.messagesPerSecond - x.messagesPerSecond),
      },
    ]),
  );
}
