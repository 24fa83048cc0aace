import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reservePorts } from './free-port.js';
import { renderServerConfig } from './server-config.js';
import { ServerProcess } from './server-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import type { Credentials } from './types.js';

/**
 * The route between two servers: `dialer` reaches `acceptor` through `proxy`.
 * From 2.10 the dialer opens several connections per route (the pool and
 * pinned accounts), all to the same configured URL, so all pass the proxy
 * and a cut takes every one of them.
 */
export interface Link {
  readonly dialer: ServerProcess;
  readonly acceptor: ServerProcess;
  readonly proxy: TcpProxy;
}

export interface LayoutInput {
  readonly size: number;
  readonly clusterName: string;
  readonly binary: string;
  /** The cluster's temp dir; each server gets `<dir>/nK`. */
  readonly dir: string;
  readonly system: Credentials;
  readonly app: Credentials;
  readonly onLog?: (line: string) => void;
}

export interface Layout {
  readonly servers: readonly ServerProcess[];
  readonly links: readonly Link[];
}

/**
 * Ports a server's config routes to, one per server like the usual
 * full-mesh config: its own cluster listener and the proxy of every link it
 * is on. 2.9 sizes a new meta group from the number of configured routes;
 * servers configured with fewer bootstrap with different quorums and can
 * elect two meta leaders that never reconcile. On a link it accepts, the
 * proxy leads back to the server itself, and on its own listener too: a
 * server recognises a route to itself, drops it ("Duplicate Route") and does
 * not retry, so only the dialer of each link holds routes on it (several
 * from 2.10, all opened by the dialer).
 */
function routePortsOf(server: ServerProcess, links: readonly Link[]): number[] {
  const onLinks = links.filter((l) => l.dialer === server || l.acceptor === server).map((l) => l.proxy.port);
  return [server.clusterPort, ...onLinks];
}

/**
 * Ports, proxies and config files: everything before the first process
 * starts. On failure the proxies already started are closed.
 */
export async function layOutCluster(input: LayoutInput): Promise<Layout> {
  // Per server: client port, cluster port, and an advertise port nothing
  // listens on. Held while the proxies bind, so none of them lands on one.
  const reservation = await reservePorts(input.size * 3);
  const portAt = (i: number): number => {
    const port = reservation.ports[i];
    if (port === undefined) throw new Error(`port ${i} was not allocated`);
    return port;
  };
  const servers = Array.from({ length: input.size }, (_, i) => {
    const name = `n${i + 1}`;
    return new ServerProcess({
      name,
      binary: input.binary,
      configFile: join(input.dir, name, 'nats-server.conf'),
      dir: join(input.dir, name),
      clientPort: portAt(3 * i),
      clusterPort: portAt(3 * i + 1),
      ...(input.onLog ? { onLog: input.onLog } : {}),
    });
  });
  const links: Link[] = [];
  try {
    // Pair i<j gets one link, dialled by i through its own proxy, so
    // cutting that proxy cuts exactly the i-j link.
    for (const [i, dialer] of servers.entries()) {
      for (const acceptor of servers.slice(i + 1)) {
        links.push({ dialer, acceptor, proxy: await startTcpProxy({ targetPort: acceptor.clusterPort }) });
      }
    }
    await reservation.release();
    for (const [i, server] of servers.entries()) {
      const serverDir = join(input.dir, server.name);
      await mkdir(serverDir, { recursive: true });
      const config = renderServerConfig({
        serverName: server.name,
        clusterName: input.clusterName,
        clientPort: server.clientPort,
        clusterPort: server.clusterPort,
        advertisePort: portAt(3 * i + 2),
        routePorts: routePortsOf(server, links),
        storeDir: serverDir,
        systemPassword: input.system.password,
        appPassword: input.app.password,
      });
      // Holds the passwords.
      await writeFile(join(serverDir, 'nats-server.conf'), config, { mode: 0o600 });
    }
    return { servers, links };
  } catch (err) {
    await reservation.release();
    await Promise.allSettled(links.map((l) => l.proxy.close()));
    throw err;
  }
}
