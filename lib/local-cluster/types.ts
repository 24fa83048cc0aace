import type { NatsConnection } from 'nats';

export interface LocalClusterOptions {
  /** Number of servers, named n1..nN; 2 to 16. */
  readonly size: number;
  /** Cluster name; @default `local-<random hex>` */
  readonly name?: string;
  /** Path of the nats-server binary; @default findNatsServer() */
  readonly serverBinary?: string;
  /** Directory the cluster's temp dir is created in; @default os.tmpdir() */
  readonly baseDir?: string;
  /** Budget for every server to serve clients and agree on a meta leader; also restart's budget. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Every server log line, prefixed with `[nK] `. */
  readonly onLog?: (line: string) => void;
}

export interface LocalServer {
  readonly name: string;
  readonly clientUrl: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /** 'killed' also after an unexpected exit; its last log lines say why. */
  readonly state: 'running' | 'paused' | 'killed';
  /** Undefined while killed. */
  readonly pid?: number;
  /** Server id from its INFO; changes on every (re)start. */
  readonly id?: string;
  /** When the current (or last) process was spawned, epoch ms. */
  readonly startedAt?: number;
  /** File holding everything the server logged, across restarts. */
  readonly logFile: string;
}

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/**
 * The one route between two servers: `dialer` has the route in its config and
 * reaches `acceptor` through a proxy on `proxyPort`.
 */
export interface RouteLink {
  readonly dialer: string;
  readonly acceptor: string;
  readonly proxyPort: number;
  /** Ports the proxy dials the acceptor from: the peer port in the acceptor's ROUTEZ. */
  readonly upstreamLocalPorts: readonly number[];
  readonly cut: boolean;
  /** Servers whose bytes on this link are currently dropped (see cutOneWay). */
  readonly droppingFrom: readonly string[];
}

/** A route as the server holding it reports it (ROUTEZ). */
export interface ServerRoute {
  /** Name of the server at the other end; `unknown <id>` if no cluster member has that id. */
  readonly remote: string;
  /** The server holding this route dialled it. */
  readonly didSolicit: boolean;
  /** Peer port of the TCP connection. */
  readonly port: number;
}

export interface ConnectOptions {
  /** @default the first running server */
  readonly server?: string;
  /** @default 'app' */
  readonly as?: 'system' | 'app';
  /** Connection name shown in CONNZ. */
  readonly name?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export interface WaitForMetaLeaderOptions {
  /** @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Servers that must agree; the agreed leader must be one of them, so a
   * partitioned minority's stale leader is not mistaken for an election.
   * @default every running server
   */
  readonly servers?: readonly string[];
}

export interface LocalCluster extends AsyncDisposable {
  readonly name: string;
  readonly servers: readonly LocalServer[];
  /** Client URLs nats://127.0.0.1:PORT, in server order. */
  readonly urls: readonly string[];
  /** SYS account user. */
  readonly system: Credentials;
  /** APP account user (JetStream enabled). */
  readonly app: Credentials;
  /** The cluster's temp dir: one subdirectory per server with config, log, pid file and store. */
  readonly dir: string;
  /** Throws UnknownServerError for names the cluster does not have. */
  server(name: string): LocalServer;
  /** Every route link with its proxy's current state. */
  links(): readonly RouteLink[];
  /** Symmetric: cut the route link between a and b. */
  cut(a: string, b: string): void;
  /**
   * Asymmetric: bytes from `from` to `to` are dropped, the other way passes.
   * The TCP connection stays up, as a one-way black hole leaves it.
   */
  cutOneWay(from: string, to: string): void;
  /** Cut every link of `name`. */
  isolate(name: string): void;
  /**
   * Restore every link. A connection that lost bytes to cutOneWay is closed
   * (its byte stream is torn) and the route redials within about a second;
   * use waitForRouteMesh / waitForMetaLeader before relying on the mesh.
   */
  heal(): void;
  /** SIGKILL, wait for exit. */
  kill(name: string): Promise<void>;
  /** Start again with the same config and store (killing it first if needed); resolves once it serves clients. */
  restart(name: string): Promise<void>;
  /** SIGTERM (a clean shutdown, as a rolling restart stops a server), wait for exit; `restart` starts it again. */
  terminate(name: string): Promise<void>;
  /** SIGSTOP: a hung server. */
  pause(name: string): void;
  /** SIGCONT. */
  resume(name: string): void;
  /** The last lines `name` logged (kept in memory, up to 200). */
  lastLogLines(name: string, count?: number): string[];
  /** A nats.js connection to exactly one server (no cluster discovery, so it never drifts to another). */
  connect(opts?: ConnectOptions): Promise<NatsConnection>;
  /** Per running server: the meta leader it reports (undefined: none, or it did not answer). */
  metaLeaderViews(): Promise<Record<string, string | undefined>>;
  /**
   * Routes `name` reports in its own ROUTEZ: one entry per TCP connection.
   * From 2.10 a pair of servers keeps several (a pool, plus one per pinned
   * account such as the system account), all through the pair's proxy.
   */
  routes(name: string): Promise<ServerRoute[]>;
  /** The distinct servers `name` has at least one route to, sorted: what to assert on, whatever the pool size. */
  peers(name: string): Promise<string[]>;
  /**
   * Resolves once every running server has a route to every other running
   * server whose link is neither cut nor dropping bytes. Routes redial about
   * once a second, so a mesh completes within a few seconds of a heal.
   */
  waitForRouteMesh(opts?: { /** @default 15000 */ timeoutMs?: number }): Promise<void>;
  /**
   * Resolves with the meta leader once the cluster has settled: all (given
   * or running) servers name the same leader, it is one of them, it has
   * heard from each of them within the last 2 s, and it holds a fresh STATSZ
   * from each (what 2.9 needs before it places replicas on a peer). Throws
   * MetaLeaderTimeoutError listing the last views otherwise.
   */
  waitForMetaLeader(opts?: WaitForMetaLeaderOptions): Promise<string>;
  /** Stop every server, close the proxies, remove the temp dir. Idempotent. */
  dispose(): Promise<void>;
}
