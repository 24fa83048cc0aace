/**
 * A loopback TCP proxy in front of a NATS client port that breaks each
 * connection in the middle of the first message the server delivers to it:
 * the bytes up to halfway through that frame pass, the rest never arrive.
 * A connection that never receives a message (a probe reading INFO) is left
 * alone. Unlike cutting a link at a chosen moment, this lands inside a reply
 * every time, whatever the machine's load.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const LOOPBACK = '127.0.0.1';
/** A server-to-client delivery, with or without headers (replies to gzip requests carry headers). */
const DELIVERY = /(?:^|\r\n)H?MSG /;
/** Bytes of the broken frame let through after its verb: enough to be mid-frame, never the whole of it. */
const BYTES_INTO_FRAME = 24;

export type ReplyCut =
  /** Drop every later byte from the server and leave the connection open: a one-way black hole. */
  | 'stall'
  /** Close both sockets: the peer sees the connection reset mid-frame. */
  | 'reset';

export interface ReplyCutter {
  readonly port: number;
  /** Connections broken so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export function startReplyCutter(targetPort: number, mode: ReplyCut): Promise<ReplyCutter> {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server: Server = createServer((client) => {
    const upstream = connect({ host: LOOPBACK, port: targetPort });
    let broken = false;
    let seen = '';
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', end);
      s.on('close', () => {
        sockets.delete(s);
        end();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!broken) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (broken) return;
      // Frames can straddle chunks: scan the tail of the last chunk with this one.
      const text = seen + chunk.toString('latin1');
      const match = DELIVERY.exec(text);
      if (!match) {
        seen = text.slice(-8);
        client.write(chunk);
        return;
      }
      broken = true;
      cuts++;
      const frameStart = match.index + match[0].search(/H?MSG/);
      const keep = Math.max(0, frameStart + BYTES_INTO_FRAME - seen.length);
      client.write(chunk.subarray(0, Math.min(keep, chunk.length - 1)), () => {
        if (mode === 'reset') end();
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('reply cutter has no TCP address'));
      resolve({
        port: address.port,
        get cuts() {
          return cuts;
        },
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
