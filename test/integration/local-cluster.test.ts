/**
 * The local-cluster harness against real nats-server processes: route
 * topology, partitions, crashes, hangs and leader placement. The 3-node
 * suite shares one cluster; every test leaves it healed with all servers
 * running and agreeing on a meta leader.
 */
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import {
  concentrateLeaders,
  consumerLeaders,
  createReplicatedStreams,
  findNatsServer,
  NatsServerMissingError,
  startLocalCluster,
  startTcpProxy,
  streamLeaders,
  UnknownServerError,
  type LocalCluster,
} from '../../lib/local-cluster/index.js';
import { metaViewOf } from '../../lib/local-cluster/meta-view.js';
import { printClusterLogs, useCluster } from '../support/cluster.js';

/** Long enough for one 2.9 election (timeout 4-9 s) plus slack for a loaded CI box. */
const ELECTION_TIMEOUT_MS = 25_000;
/** A 2.9 leader that lost its quorum steps down 10-20 s later (checked every 10 s). */
const STEP_DOWN_TIMEOUT_MS = 30_000;
/** Explicit routes redial every second once a link heals. */
const ROUTE_TIMEOUT_MS = 10_000;

function routedPeers(cluster: LocalCluster, server: string): Promise<string[]> {
  return cluster.peers(server);
}

/**
 * Every route connection runs through the proxy of its link: the dialer's
 * peer is the proxy port, the acceptor's peer is the proxy's outbound
 * socket. From 2.10 a pair keeps several connections (a pool plus pinned
 * accounts), so peers are counted distinct and each connection is checked.
 */
async function expectOnlyProxiedRoutes(cluster: LocalCluster): Promise<void> {
  const links = cluster.links();
  for (const server of cluster.servers) {
    const routes = await cluster.routes(server.name);
    expect(await cluster.peers(server.name)).toEqual(cluster.servers.map((s) => s.name).filter((n) => n !== server.name));
    for (const route of routes) {
      const link = links.find(
        (l) => (l.dialer === server.name && l.acceptor === route.remote) || (l.dialer === route.remote && l.acceptor === server.name),
      );
      expect(link, `link ${server.name}-${route.remote}`).toBeDefined();
      if (route.didSolicit) {
        expect(link?.dialer).toBe(server.name);
        expect(route.port).toBe(link?.proxyPort);
      } else {
        expect(link?.acceptor).toBe(server.name);
        expect(link?.upstreamLocalPorts).toContain(route.port);
      }
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startLocalCluster with 3 servers', () => {
  const cluster = useCluster(3);

  it('forms with one agreed meta leader and every route connection of every pair proxied', async () => {
    const c = cluster();
    expect(c.servers.map((s) => [s.name, s.state])).toEqual([
      ['n1', 'running'],
      ['n2', 'running'],
      ['n3', 'running'],
    ]);
    expect(c.urls).toEqual(c.servers.map((s) => `nats://127.0.0.1:${s.clientPort}`));
    const leader = await c.waitForMetaLeader();
    expect(Object.values(await c.metaLeaderViews())).toEqual([leader, leader, leader]);
    expect(c.links().map((l) => `${l.dialer}->${l.acceptor}`)).toEqual(['n1->n2', 'n1->n3', 'n2->n3']);
    await expectOnlyProxiedRoutes(c);
  });

  it('cut(a, b) removes exactly the a-b route, which no gossiped address restores, until heal', async () => {
    const c = cluster();
    c.cut('n1', 'n2');
    expect(c.links().find((l) => l.dialer === 'n1' && l.acceptor === 'n2')?.cut).toBe(true);
    await vi.waitFor(
      async () => {
        expect(await routedPeers(c, 'n1')).toEqual(['n3']);
        expect(await routedPeers(c, 'n2')).toEqual(['n3']);
      },
      { timeout: ROUTE_TIMEOUT_MS, interval: 200 },
    );
    expect(await routedPeers(c, 'n3')).toEqual(['n1', 'n2']);
    // n1 redials the cut proxy every second; a route around it would
    // show up within this window.
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      expect(await routedPeers(c, 'n1')).toEqual(['n3']);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    c.heal();
    await vi.waitFor(() => expectOnlyProxiedRoutes(c), { timeout: ROUTE_TIMEOUT_MS, interval: 200 });
    await c.waitForMetaLeader();
  });

  it('cutOneWay drops one direction of a link while its route stays up; heal restores the mesh', async () => {
    const c = cluster();
    c.cutOneWay('n3', 'n1');
    c.cutOneWay('n1', 'n2');
    expect(c.links().map((l) => [l.dialer, l.acceptor, l.cut, l.droppingFrom])).toEqual([
      ['n1', 'n2', false, ['n1']],
      ['n1', 'n3', false, ['n3']],
      ['n2', 'n3', false, []],
    ]);
    // Route PINGs are minutes apart, so the TCP connection outlives the loss.
    expect(await routedPeers(c, 'n1')).toEqual(['n2', 'n3']);

    c.heal();
    expect(c.links().every((l) => !l.cut && l.droppingFrom.length === 0)).toBe(true);
    await c.waitForRouteMesh({ timeoutMs: ROUTE_TIMEOUT_MS });
    await c.waitForMetaLeader({ timeoutMs: ELECTION_TIMEOUT_MS });
    await expectOnlyProxiedRoutes(c);
  });

  it('concentrateLeaders puts every stream and consumer leader of 6 R3 streams on one server', async () => {
    const c = cluster();
    const nc = await c.connect({ as: 'app' });
    try {
      const streams = await createReplicatedStreams(nc, { count: 6, replicas: 3, consumersPerStream: 1 });
      expect(streams).toEqual(['ORDERS_1', 'ORDERS_2', 'ORDERS_3', 'ORDERS_4', 'ORDERS_5', 'ORDERS_6']);
      const started = Date.now();
      const { stepDowns } = await concentrateLeaders(nc, { onto: 'n2', streams, consumers: true, timeoutMs: 60_000 });
      console.info(`concentrateLeaders: ${stepDowns} step-downs in ${Date.now() - started} ms`);
      expect(Object.values(await streamLeaders(nc, streams))).toEqual(Array(6).fill('n2'));
      expect(Object.values(await consumerLeaders(nc, streams))).toEqual(Array(6).fill('n2'));
    } finally {
      await nc.close();
    }
  }, 90_000);

  it('kill stops a server for good and restart brings it back with its store', async () => {
    const c = cluster();
    const app = await c.connect({ as: 'app' });
    const [stream] = await createReplicatedStreams(app, { count: 1, prefix: 'RESTART' }).finally(() => app.close());
    const leader = await c.waitForMetaLeader();
    const victim = c.servers.find((s) => s.name !== leader)!;
    const { pid: oldPid, id: oldId } = victim;
    expect(oldPid).toBeDefined();

    await c.kill(victim.name);
    expect(victim.state).toBe('killed');
    expect(victim.pid).toBeUndefined();
    expect(isAlive(oldPid!)).toBe(false);
    expect(Object.keys(await c.metaLeaderViews())).not.toContain(victim.name);
    await expect(c.connect({ server: victim.name })).rejects.toThrow(/killed/);

    await c.restart(victim.name);
    expect(victim.state).toBe('running');
    expect(victim.pid).not.toBe(oldPid);
    expect(victim.id).not.toBe(oldId);
    const settled = await c.waitForMetaLeader({ timeoutMs: ELECTION_TIMEOUT_MS });
    // Settled means heard from the new process: the leader's entry for the victim is newer than its start.
    const system = await c.connect({ server: settled, as: 'system' });
    const heard = await metaViewOf(system).finally(() => system.close());
    expect(heard.peers.find((p) => p.name === victim.name)?.heardAt).toBeGreaterThanOrEqual(victim.startedAt!);
    await vi.waitFor(() => expectOnlyProxiedRoutes(c), { timeout: ROUTE_TIMEOUT_MS, interval: 200 });
    // Back in its stream's Raft group. Killing it may have cost the group
    // its leader, so allow for an election.
    const nc = await c.connect({ server: victim.name });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 2_000 });
      await vi.waitFor(
        async () => {
          const group = (await jsm.streams.info(stream!)).cluster;
          const members = [group?.leader, ...(group?.replicas ?? []).map((r) => r.name)];
          expect(members.sort()).toEqual(['n1', 'n2', 'n3']);
          expect(group?.replicas?.every((r) => r.current)).toBe(true);
        },
        { timeout: ELECTION_TIMEOUT_MS, interval: 250 },
      );
    } finally {
      await nc.close();
    }
  }, 60_000);

  it('pause hangs the meta leader so the others elect a new one; resume brings it back', async () => {
    const c = cluster();
    const leader = await c.waitForMetaLeader();
    const others = c.servers.map((s) => s.name).filter((n) => n !== leader);

    c.pause(leader);
    expect(c.server(leader).state).toBe('paused');
    expect(isAlive(c.server(leader).pid!)).toBe(true);
    const next = await c.waitForMetaLeader({ servers: others, timeoutMs: ELECTION_TIMEOUT_MS });
    expect(next).not.toBe(leader);
    expect(Object.keys(await c.metaLeaderViews()).sort()).toEqual(others);

    c.resume(leader);
    expect(c.server(leader).state).toBe('running');
    await c.waitForMetaLeader({ timeoutMs: ELECTION_TIMEOUT_MS });
    expect(Object.keys(await c.metaLeaderViews())).toHaveLength(3);
  }, 60_000);

  it('isolating the meta leader: the majority elects anew, the isolated one keeps a stale view, then none; heal reunites', async () => {
    const c = cluster();
    const leader = await c.waitForMetaLeader();
    const others = c.servers.map((s) => s.name).filter((n) => n !== leader);

    const isolatedAt = Date.now();
    c.isolate(leader);
    expect(c.links().filter((l) => l.cut).length).toBe(2);
    // Poll the whole cluster so the isolated server's view is read at the
    // moment the majority agrees: both claim a leader then.
    let isolatedViewAtElection: string | undefined;
    const next = await vi.waitFor(
      async () => {
        const views = await c.metaLeaderViews();
        const candidate = views[others[0]!];
        expect(candidate).toBeDefined();
        expect(candidate).not.toBe(leader);
        expect(others.map((n) => views[n])).toEqual([candidate, candidate]);
        isolatedViewAtElection = views[leader];
        return candidate!;
      },
      { timeout: ELECTION_TIMEOUT_MS, interval: 200 },
    );
    const electedMs = Date.now() - isolatedAt;
    expect(others).toContain(next);
    expect(isolatedViewAtElection).toBe(leader);

    await vi.waitFor(
      async () => {
        expect((await c.metaLeaderViews())[leader]).toBeUndefined();
      },
      { timeout: STEP_DOWN_TIMEOUT_MS, interval: 250 },
    );
    const staleMs = Date.now() - isolatedAt;

    const healedAt = Date.now();
    c.heal();
    await c.waitForMetaLeader({ timeoutMs: ELECTION_TIMEOUT_MS });
    console.info(
      `isolated ${leader}: ${next} elected after ${electedMs} ms, ${leader} claimed leadership until ~${staleMs} ms, ` +
        `all agreed ${Date.now() - healedAt} ms after heal`,
    );
  }, 90_000);

  it('names unknown servers in a clear error', () => {
    expect(() => cluster().server('n9')).toThrow(UnknownServerError);
    expect(() => cluster().cut('n1', 'n9')).toThrow(/no server named "n9" in this cluster; servers are n1, n2, n3/);
  });
});

describe('startLocalCluster with 4 and 5 servers', () => {
  it('starts both side by side; dispose leaves no process or directory behind, even with a server paused', async () => {
    const [five, four] = await Promise.all([startLocalCluster({ size: 5 }), startLocalCluster({ size: 4 })]);
    const pids = [...five.servers, ...four.servers].map((s) => s.pid!);
    try {
      for (const c of [five, four]) {
        const leader = await c.waitForMetaLeader();
        expect(Object.values(await c.metaLeaderViews())).toEqual(Array(c.servers.length).fill(leader));
        expect(c.links()).toHaveLength((c.servers.length * (c.servers.length - 1)) / 2);
        await expectOnlyProxiedRoutes(c);
      }
      expect(pids.every(isAlive)).toBe(true);
      five.pause('n5');
      four.isolate('n1');
    } catch (err) {
      printClusterLogs(five, 'the 5/4-node test failed');
      printClusterLogs(four, 'the 5/4-node test failed');
      throw err;
    } finally {
      await Promise.all([five.dispose(), four.dispose()]);
    }
    expect(pids.filter(isAlive)).toEqual([]);
    await expect(access(five.dir)).rejects.toThrow();
    await expect(access(four.dir)).rejects.toThrow();
    await five.dispose();
  }, 90_000);
});

describe('a missing nats-server', () => {
  it('fails with NatsServerMissingError saying how to install it', async () => {
    const start = startLocalCluster({ size: 3, serverBinary: '/nonexistent/nats-server' });
    await expect(start).rejects.toThrow(NatsServerMissingError);
    await expect(start).rejects.toThrow(/apt-get install nats-server/);
  });

  it('lets NATS_SERVER_BIN override the lookup', () => {
    expect(findNatsServer({ NATS_SERVER_BIN: ' /opt/nats/nats-server ' })).toBe('/opt/nats/nats-server');
  });
});

// A bare echo server behind the proxy: what each socket receives shows
// which direction a cut drops.
describe('startTcpProxy', () => {
  async function echoServer(): Promise<{ server: Server; port: number; received: string[] }> {
    const received: string[] = [];
    const server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk.toString());
        socket.write(chunk);
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { server, port: address.port, received };
  }

  async function client(port: number): Promise<{ socket: Socket; got: string[]; closed: Promise<void> }> {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const got: string[] = [];
    socket.on('data', (chunk: Buffer) => got.push(chunk.toString()));
    socket.on('error', () => undefined);
    const closed = once(socket, 'close').then(() => undefined);
    await once(socket, 'connect');
    return { socket, got, closed };
  }

  it('passes bytes, drops one direction, cuts and heals', async () => {
    const echo = await echoServer();
    const proxy = await startTcpProxy({ targetPort: echo.port });
    try {
      const a = await client(proxy.port);
      a.socket.write('one');
      await vi.waitFor(() => expect(a.got.join('')).toBe('one'));

      proxy.cutDirection('backward');
      a.socket.write('two');
      await vi.waitFor(() => expect(echo.received.join('')).toBe('onetwo'));
      proxy.cutDirection('forward');
      expect(proxy.state.dropping).toEqual(['backward', 'forward']);
      a.socket.write('three');
      await vi.waitFor(() => expect(proxy.state.droppedBytes.forward).toBe('three'.length));
      expect(echo.received.join('')).toBe('onetwo');
      expect(a.got.join('')).toBe('one');

      // The connection lost bytes, so heal closes it rather than resume a torn stream.
      proxy.heal();
      await a.closed;
      const b = await client(proxy.port);
      b.socket.write('four');
      await vi.waitFor(() => expect(b.got.join('')).toBe('four'));

      proxy.cut();
      await b.closed;
      const refused = await client(proxy.port);
      await refused.closed;
      expect(proxy.state).toMatchObject({ cut: true, dropping: [], openConnections: 0 });

      proxy.heal();
      const c = await client(proxy.port);
      c.socket.write('five');
      await vi.waitFor(() => expect(c.got.join('')).toBe('five'));
      expect(proxy.state.openConnections).toBe(1);
      expect(proxy.upstreamLocalPorts()).toHaveLength(1);
      await proxy.close();
      await c.closed;
    } finally {
      await proxy.close();
      echo.server.close();
    }
  });
});
