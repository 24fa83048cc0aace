import { connect, createServer, type Server, type Socket } from 'node:net';

const LOOPBACK = '127.0.0.1';

/** `forward`: bytes from the dialing side to the target; `backward`: the replies. */
export type ProxyDirection = 'forward' | 'backward';

export interface TcpProxyOptions {
  readonly targetPort: number;
  /** Port to listen on; @default 0 (any free loopback port) */
  readonly port?: number;
}

export interface TcpProxyState {
  /** New connections are refused and none are open. */
  readonly cut: boolean;
  /** Directions whose bytes are currently dropped. */
  readonly dropping: readonly ProxyDirection[];
  readonly openConnections: number;
  /** Bytes dropped so far per direction: lets a test wait for a drop instead of sleeping through it. */
  readonly droppedBytes: Readonly<Record<ProxyDirection, number>>;
}

export interface TcpProxy {
  readonly port: number;
  readonly targetPort: number;
  readonly state: TcpProxyState;
  /** Local ports of the proxy's own connections to the target: what the target sees as the peer address. */
  upstreamLocalPorts(): number[];
  /** Destroy live connections and refuse new ones until `heal()`. */
  cut(): void;
  /** Silently drop every byte travelling in `direction`; the other direction still flows. */
  cutDirection(direction: ProxyDirection): void;
  heal(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Set once any byte was dropped: the byte streams are no longer coherent. */
  lostBytes: boolean;
}

/** A loopback TCP proxy whose link can be cut whole or in one direction. */
export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const { targetPort } = options;
  const pairs = new Set<Pair>();
  const dropping = new Set<ProxyDirection>();
  let isCut = false;
  let closed = false;
  const droppedBytes: Record<ProxyDirection, number> = { forward: 0, backward: 0 };

  const destroyPair = (pair: Pair): void => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  };

  // Backpressure both ways: a route catching up on a stream can move more
  // than socket buffers hold.
  const pipe = (pair: Pair, from: Socket, to: Socket, direction: ProxyDirection): void => {
    from.on('data', (chunk: Buffer) => {
      if (dropping.has(direction)) {
        pair.lostBytes = true;
        droppedBytes[direction] += chunk.length;
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
  };

  const server: Server = createServer((client) => {
    if (isCut || closed) {
      // Accept-then-close rather than not listening: the dialer sees a
      // broken link, not a missing server, and retries as it would on a
      // real network fault.
      client.destroy();
      return;
    }
    const upstream = connect({ host: LOOPBACK, port: targetPort });
    const pair: Pair = { client, upstream, lostBytes: false };
    pairs.add(pair);
    pipe(pair, client, upstream, 'forward');
    pipe(pair, upstream, client, 'backward');
    const end = (): void => destroyPair(pair);
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });

  const proxy: TcpProxy = {
    get port() {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('proxy is not listening');
      return address.port;
    },
    targetPort,
    get state(): TcpProxyState {
      return { cut: isCut, dropping: [...dropping], openConnections: pairs.size, droppedBytes: { ...droppedBytes } };
    },
    upstreamLocalPorts() {
      return [...pairs].flatMap((p) => (p.upstream.localPort === undefined ? [] : [p.upstream.localPort]));
    },
    cut() {
      isCut = true;
      for (const pair of [...pairs]) destroyPair(pair);
    },
    cutDirection(direction) {
      dropping.add(direction);
    },
    heal() {
      isCut = false;
      if (dropping.size === 0) return;
      dropping.clear();
      // A connection that lost bytes mid-stream would hand the peer a torn
      // protocol frame; close it so both sides reconnect cleanly.
      for (const pair of [...pairs]) if (pair.lostBytes) destroyPair(pair);
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const pair of [...pairs]) destroyPair(pair);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve(proxy);
    });
  });
}
