import { createServer, type Server } from 'node:net';

const LOOPBACK = '127.0.0.1';

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('listening socket has no TCP address');
  }
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface PortReservation {
  readonly ports: readonly number[];
  /** Close the placeholder listeners so the real owners can bind; idempotent. */
  release(): Promise<void>;
}

/**
 * `count` distinct loopback ports, held by placeholder listeners until
 * `release()`, so nothing bound meanwhile in this process (a proxy on port
 * 0, say) can be handed one of them.
 */
export async function reservePorts(count: number): Promise<PortReservation> {
  const servers: Server[] = [];
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => (released ??= Promise.all(servers.map(closeServer)).then(() => undefined));
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await listenOnAnyPort());
    }
    return { ports: servers.map(portOf), release };
  } catch (err) {
    await release();
    throw err;
  }
}

/**
 * `count` distinct loopback ports that were free a moment ago; another
 * process can still take one before it is used.
 */
export async function freePorts(count: number): Promise<number[]> {
  const reservation = await reservePorts(count);
  await reservation.release();
  return [...reservation.ports];
}

/** One loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free port allocated');
  return port;
}
