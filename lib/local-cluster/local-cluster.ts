import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { trackDir, untrackDir } from './child-reaper.js';
import { layOutCluster, type Link } from './cluster-layout.js';
import {
  NatsServerMissingError,
  RouteMeshTimeoutError,
  ServerStartError,
  UnknownServerError,
} from './errors.js';
import { findNatsServer, isExecutableFile } from './find-nats-server.js';
import { leadersOf } from './meta-agreement.js';
import { META_SETTLING, waitForSettledMeta } from './meta-settling.js';
import { metaViewOf, type MetaView } from './meta-view.js';
import { APP_USER, SYSTEM_USER } from './server-config.js';
import type { ServerProcess } from './server-process.js';
import { missingRoutes, pinnedAccountsOf, type RoutedServer } from './route-mesh.js';
import { routePoolSizeOf, routesOf } from './routez.js';
import type {
  ConnectOptions,
  Credentials,
  LocalCluster,
  LocalClusterOptions,
  RouteLink,
  ServerRoute,
  WaitForMetaLeaderOptions,
} from './types.js';
import { pollUntil } from '../util/poll.js';

const DEFAULTS = {
  startTimeoutMs: 30_000,
  metaLeaderTimeoutMs: 30_000,
  routeMeshTimeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  /** Connect budget for the harness's own probes; even a partitioned server answers its clients at once. */
  probeConnectTimeoutMs: 2_000,
} as const;

/** 2.9 sizes a meta group at two peers at least, so a lone clustered server never elects a leader. */
const MIN_SIZE = 2;
/** Links, and so proxies, grow with the square of the size. */
const MAX_SIZE = 16;
/** Whole-cluster attempts when a port handed out as free was taken before the server bound it. */
const PORT_RACE_ATTEMPTS = 3;

function credentials(user: string): Credentials {
  return { user, password: randomBytes(18).toString('base64url') };
}

class LocalClusterImpl implements LocalCluster {
  private disposal: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly system: Credentials,
    readonly app: Credentials,
    readonly servers: readonly ServerProcess[],
    private readonly routeLinks: readonly Link[],
    private readonly startTimeoutMs: number,
  ) {}

  get urls(): readonly string[] {
    return this.servers.map((s) => s.clientUrl);
  }

  server(name: string): ServerProcess {
    const found = this.servers.find((s) => s.name === name);
    if (!found) throw new UnknownServerError(name, this.servers.map((s) => s.name));
    return found;
  }

  links(): readonly RouteLink[] {
    return this.routeLinks.map(({ dialer, acceptor, proxy }) => {
      const { cut, dropping } = proxy.state;
      return {
        dialer: dialer.name,
        acceptor: acceptor.name,
        proxyPort: proxy.port,
        upstreamLocalPorts: proxy.upstreamLocalPorts(),
        cut,
        droppingFrom: dropping.map((d) => (d === 'forward' ? dialer.name : acceptor.name)),
      };
    });
  }

  private link(a: string, b: string): Link {
    this.server(a);
    this.server(b);
    if (a === b) throw new Error(`a server has no route to itself (${a})`);
    const found = this.routeLinks.find(
      (l) => (l.dialer.name === a && l.acceptor.name === b) || (l.dialer.name === b && l.acceptor.name === a),
    );
    if (!found) throw new Error(`no route link between ${a} and ${b}`);
    return found;
  }

  cut(a: string, b: string): void {
    this.link(a, b).proxy.cut();
  }

  cutOneWay(from: string, to: string): void {
    const link = this.link(from, to);
    link.proxy.cutDirection(link.dialer.name === from ? 'forward' : 'backward');
  }

  isolate(name: string): void {
    this.server(name);
    for (const l of this.routeLinks) {
      if (l.dialer.name === name || l.acceptor.name === name) l.proxy.cut();
    }
  }

  heal(): void {
    for (const l of this.routeLinks) l.proxy.heal();
  }

  async kill(name: string): Promise<void> {
    await this.server(name).kill();
  }

  async restart(name: string): Promise<void> {
    const server = this.server(name);
    await server.kill();
    await server.start(this.startTimeoutMs);
  }

  async terminate(name: string): Promise<void> {
    await this.server(name).terminate();
  }

  pause(name: string): void {
    this.server(name).pause();
  }

  resume(name: string): void {
    this.server(name).resume();
  }

  lastLogLines(name: string, count?: number): string[] {
    return this.server(name).lastLogLines(count);
  }

  private running(): ServerProcess[] {
    return this.servers.filter((s) => s.state === 'running');
  }

  async connect(opts: ConnectOptions = {}): Promise<NatsConnection> {
    const target = opts.server === undefined ? this.running()[0] : this.server(opts.server);
    if (!target) throw new Error(`no running server to connect to in cluster ${this.name}`);
    if (target.state !== 'running') throw new Error(`cannot connect to ${target.name}: it is ${target.state}`);
    const as = opts.as ?? 'app';
    const creds = as === 'system' ? this.system : this.app;
    return natsConnect({
      servers: target.clientUrl,
      user: creds.user,
      pass: creds.password,
      name: opts.name ?? `local-cluster-${as}`,
      timeout: opts.timeoutMs ?? DEFAULTS.connectTimeoutMs,
      // Stay on this one server: the point is to see the cluster from it.
      noRandomize: true,
      ignoreClusterUpdates: true,
    });
  }

  /** Run `probe` over a short-lived system connection to `server`; undefined when anything fails. */
  private async probe<T>(server: ServerProcess, probe: (nc: NatsConnection) => Promise<T>): Promise<T | undefined> {
    let nc: NatsConnection | undefined;
    try {
      nc = await this.connect({
        server: server.name,
        as: 'system',
        name: 'local-cluster-probe',
        timeoutMs: DEFAULTS.probeConnectTimeoutMs,
      });
      return await probe(nc);
    } catch {
      return undefined;
    } finally {
      await nc?.close().catch(() => undefined);
    }
  }

  // A server that cannot answer its own client counts as knowing no leader:
  // it cannot be part of an agreement either.
  private async viewsOf(servers: readonly ServerProcess[]): Promise<Map<string, MetaView | undefined>> {
    const views = await Promise.all(servers.map((s) => this.probe(s, metaViewOf)));
    return new Map(servers.map((s, i) => [s.name, views[i]]));
  }

  async metaLeaderViews(): Promise<Record<string, string | undefined>> {
    return leadersOf(await this.viewsOf(this.running()));
  }

  async routes(name: string): Promise<ServerRoute[]> {
    const nc = await this.connect({ server: name, as: 'system', name: 'local-cluster-routes' });
    try {
      return (await routesOf(nc)).map((r) => ({
        remote: this.nameOfId(r.remoteId) ?? `unknown ${r.remoteId}`,
        didSolicit: r.didSolicit,
        port: r.port,
      }));
    } finally {
      await nc.close().catch(() => undefined);
    }
  }

  async peers(name: string): Promise<string[]> {
    return [...new Set((await this.routes(name)).map((r) => r.remote))].sort();
  }

  private nameOfId(serverId: string): string | undefined {
    return this.servers.find((s) => s.id === serverId)?.name;
  }

  /** Peers `server` should have a route to: running, and not behind a cut or lossy link. */
  private expectedPeers(server: ServerProcess): string[] {
    return this.routeLinks
      .filter((l) => l.dialer === server || l.acceptor === server)
      .filter((l) => !l.proxy.state.cut && l.proxy.state.dropping.length === 0)
      .map((l) => (l.dialer === server ? l.acceptor : l.dialer))
      .filter((peer) => peer.state === 'running')
      .map((peer) => peer.name)
      .sort();
  }

  async waitForRouteMesh(opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? DEFAULTS.routeMeshTimeoutMs;
    let missing: string[] = [];
    // Pinned routes come up one by one too: remember every account seen
    // pinned, so a pair is not passed in a poll where none had shown yet.
    const pinned = new Set<string>();
    const complete = await pollUntil(
      async () => {
        const running = this.running();
        const seen = await Promise.all(
          running.map((s) => this.probe(s, async (nc) => ({ routes: await routesOf(nc), poolSize: await routePoolSizeOf(nc) }))),
        );
        const servers: RoutedServer[] = running.map((server, i) => ({
          name: server.name,
          expectedPeers: this.expectedPeers(server),
          poolSize: seen[i]?.poolSize ?? 1,
          routes: (seen[i]?.routes ?? []).map((r) => ({ peer: this.nameOfId(r.remoteId), ...(r.account === undefined ? {} : { account: r.account }) })),
        }));
        for (const account of pinnedAccountsOf(servers)) pinned.add(account);
        missing = missingRoutes(servers, pinned);
        // A server whose probe failed shows no routes, so its pairs stay missing.
        return missing.length === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: META_SETTLING.pollIntervalMs },
    );
    if (!complete) throw new RouteMeshTimeoutError(timeoutMs, missing);
  }

  async waitForMetaLeader(opts: WaitForMetaLeaderOptions = {}): Promise<string> {
    const named = opts.servers?.map((n) => this.server(n));
    for (const s of named ?? []) {
      if (s.state !== 'running') throw new Error(`cannot wait for ${s.name} to agree on a meta leader: it is ${s.state}`);
    }
    return waitForSettledMeta(
      {
        asked: () => named ?? this.running(),
        running: () => this.running(),
        probe: (server, body) => this.probe(server, body),
        restart: (server) => this.restart(server.name),
      },
      opts.timeoutMs ?? DEFAULTS.metaLeaderTimeoutMs,
    );
  }

  dispose(): Promise<void> {
    this.disposal ??= this.disposeOnce();
    return this.disposal;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async disposeOnce(): Promise<void> {
    // SIGKILL rather than a graceful stop: the store is thrown away, and a
    // JetStream shutdown would first hand its leaderships to the others.
    // SIGKILL also ends a SIGSTOPped server without a SIGCONT.
    await Promise.allSettled(this.servers.map((s) => s.kill()));
    await Promise.allSettled(this.routeLinks.map((l) => l.proxy.close()));
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    untrackDir(this.dir);
  }
}

interface ResolvedOptions {
  readonly size: number;
  readonly name: string;
  readonly binary: string;
  readonly baseDir: string;
  readonly startTimeoutMs: number;
  readonly onLog?: (line: string) => void;
}

function resolveOptions(opts: LocalClusterOptions): ResolvedOptions {
  if (!Number.isInteger(opts.size) || opts.size < MIN_SIZE || opts.size > MAX_SIZE) {
    throw new RangeError(`cluster size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${opts.size}`);
  }
  const binary = opts.serverBinary ?? findNatsServer();
  if (binary === undefined) throw new NatsServerMissingError('it was not found on PATH or in /usr/sbin');
  if (!isExecutableFile(binary)) throw new NatsServerMissingError(`${binary} is not an executable file`);
  return {
    size: opts.size,
    name: opts.name ?? `local-${randomBytes(3).toString('hex')}`,
    binary,
    baseDir: opts.baseDir ?? tmpdir(),
    startTimeoutMs: opts.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
  };
}

async function startOnce(o: ResolvedOptions): Promise<LocalClusterImpl> {
  const dir = await mkdtemp(join(o.baseDir, `nats-audit-${o.name}-`));
  trackDir(dir);
  let cluster: LocalClusterImpl | undefined;
  try {
    const system = credentials(SYSTEM_USER);
    const app = credentials(APP_USER);
    const { servers, links } = await layOutCluster({
      size: o.size,
      clusterName: o.name,
      binary: o.binary,
      dir,
      system,
      app,
      ...(o.onLog ? { onLog: o.onLog } : {}),
    });
    cluster = new LocalClusterImpl(o.name, dir, system, app, servers, links, o.startTimeoutMs);
    const started = Date.now();
    const results = await Promise.allSettled(servers.map((s) => s.start(o.startTimeoutMs)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const left = (): number => Math.max(1_000, o.startTimeoutMs - (Date.now() - started));
    // The meta group settles once the leader reaches everyone, which can
    // be before every follower-follower route is up; tests expect the mesh.
    await cluster.waitForRouteMesh({ timeoutMs: left() });
    await cluster.waitForMetaLeader({ timeoutMs: left() });
    // Only needed when the wait restarted a server (see restartSilentServers); one poll otherwise.
    await cluster.waitForRouteMesh({ timeoutMs: left() });
    // The waits only ask running servers; one that died meanwhile would
    // otherwise leave a smaller cluster that looks healthy.
    const dead = servers.find((s) => s.state !== 'running');
    if (dead) throw new ServerStartError(dead.name, 'the process exited while the cluster formed', dead.lastLogLines());
    return cluster;
  } catch (err) {
    if (cluster) {
      await cluster.dispose();
    } else {
      await rm(dir, { recursive: true, force: true });
      untrackDir(dir);
    }
    throw err;
  }
}

function lostPortRace(err: unknown): boolean {
  return err instanceof ServerStartError && err.lastLogLines.some((line) => line.includes('address already in use'));
}

/**
 * Start a cluster of `size` servers on loopback and resolve once every
 * server serves clients and the cluster has settled on one meta leader
 * (see `waitForMetaLeader`).
 */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const resolved = resolveOptions(opts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(resolved);
    } catch (err) {
      if (attempt >= PORT_RACE_ATTEMPTS || !lostPortRace(err)) throw err;
    }
  }
}
