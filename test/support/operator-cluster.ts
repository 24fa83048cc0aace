/**
 * A real JetStream cluster in operator mode (decentralised JWT auth, memory
 * resolver), for tests of what differs there: JSZ names accounts by their
 * JWT name tag with the public key as `id`, and every client connects with
 * a `.creds` file. Built from the local-cluster harness's parts (server
 * processes, ports, the settled-meta-leader rule), with direct routes and
 * no proxies: these tests cut nothing, so route pooling (2.10+) needs no care.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, credsAuthenticator, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { trackDir, untrackDir } from '../../lib/local-cluster/child-reaper.js';
import { NatsServerMissingError } from '../../lib/local-cluster/errors.js';
import { findNatsServer } from '../../lib/local-cluster/find-nats-server.js';
import { reservePorts } from '../../lib/local-cluster/free-port.js';
import { waitForSettledMeta } from '../../lib/local-cluster/meta-settling.js';
import { ServerProcess } from '../../lib/local-cluster/server-process.js';
import { accountJwt, createAccountKey, createOperatorKey, createUserKey, credsFile, operatorJwt, seedOf, userJwt } from './nats-jwt.js';

const START_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 2_000;
const LOG_LINES_ON_FAILURE = 30;

export interface OperatorAccount {
  /** The account JWT's name tag: what JSZ reports as the account's `name`. */
  readonly name: string;
  /** The account's public key: JSZ's `id`, the account's real name on the server. */
  readonly publicKey: string;
  /** A `.creds` file (mode 0600) of a user of this account. */
  readonly credsFile: string;
  /** Its text (user JWT and seed). */
  readonly credsText: string;
}

export interface OperatorCluster {
  readonly name: string;
  readonly urls: readonly string[];
  readonly servers: readonly ServerProcess[];
  readonly system: OperatorAccount;
  /** JetStream-enabled accounts by name tag. */
  readonly accounts: Readonly<Record<string, OperatorAccount>>;
  /** A connection to one server (default the first) as a user of `account` (an `accounts` name, or the system account). */
  connect(account: OperatorAccount, server?: number): Promise<NatsConnection>;
  dispose(): Promise<void>;
}

/** Starts `size` servers trusting one operator whose memory resolver preloads SYS and each named account (JetStream enabled). */
export async function startOperatorCluster(size: number, accountNames: readonly string[]): Promise<OperatorCluster> {
  const binary = findNatsServer();
  if (binary === undefined) throw new NatsServerMissingError('it was not found on PATH or in /usr/sbin');
  const name = `op-${Math.random().toString(16).slice(2, 8)}`;
  const dir = await mkdtemp(join(tmpdir(), `nats-audit-${name}-`));
  trackDir(dir);
  const servers: ServerProcess[] = [];
  const dispose = async () => {
    await Promise.allSettled(servers.map((s) => s.kill()));
    await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    untrackDir(dir);
  };
  try {
    const operator = createOperatorKey();
    const sysKey = createAccountKey();
    const account = async (accountName: string, key = createAccountKey()): Promise<OperatorAccount & { jwt: string }> => {
      const user = createUserKey();
      const credsText = credsFile(userJwt(key, user, `${accountName.toLowerCase()}-user`), seedOf(user));
      const path = join(dir, `${accountName}.creds`);
      await writeFile(path, credsText, { mode: 0o600 });
      const jwt = accountJwt(operator, key, accountName, { jetstream: accountName !== 'SYS' });
      return { name: accountName, publicKey: key.getPublicKey(), credsFile: path, credsText, jwt };
    };
    const system = await account('SYS', sysKey);
    const accounts = await Promise.all(accountNames.map((n) => account(n)));
    const preload = [system, ...accounts].map((a) => `  ${a.publicKey}: ${JSON.stringify(a.jwt)}`).join('\n');

    const reservation = await reservePorts(size * 2);
    const ports = reservation.ports;
    await reservation.release();
    for (let i = 0; i < size; i++) {
      const serverName = `n${i + 1}`;
      const serverDir = join(dir, serverName);
      const routes = Array.from({ length: size }, (_, j) => `    "nats-route://127.0.0.1:${ports[2 * j + 1]}"`).filter((_, j) => j !== i);
      const config = [
        `server_name: ${serverName}`,
        `listen: "127.0.0.1:${ports[2 * i]}"`,
        `jetstream { store_dir: ${JSON.stringify(serverDir)} }`,
        `cluster {`,
        `  name: ${name}`,
        `  listen: "127.0.0.1:${ports[2 * i + 1]}"`,
        `  routes: [`,
        ...routes,
        `  ]`,
        `}`,
        `operator: ${JSON.stringify(operatorJwt(operator, 'test-operator', system.publicKey))}`,
        `system_account: ${system.publicKey}`,
        `resolver: MEMORY`,
        `resolver_preload: {`,
        preload,
        `}`,
        '',
      ].join('\n');
      await mkdir(serverDir, { recursive: true });
      await writeFile(join(serverDir, 'nats-server.conf'), config, { mode: 0o600 });
      servers.push(
        new ServerProcess({
          name: serverName,
          binary,
          configFile: join(serverDir, 'nats-server.conf'),
          dir: serverDir,
          clientPort: ports[2 * i]!,
          clusterPort: ports[2 * i + 1]!,
        }),
      );
    }
    await Promise.all(servers.map((s) => s.start(START_TIMEOUT_MS)));

    const connectTo = (a: OperatorAccount, server = 0): Promise<NatsConnection> =>
      connect({
        servers: servers[server]!.clientUrl,
        authenticator: credsAuthenticator(new TextEncoder().encode(a.credsText)),
        timeout: CONNECT_TIMEOUT_MS,
        noRandomize: true,
        ignoreClusterUpdates: true,
        name: 'operator-cluster',
      });
    const probe = async <T>(server: ServerProcess, body: (nc: NatsConnection) => Promise<T>): Promise<T | undefined> => {
      const nc = await connectTo(system, servers.indexOf(server)).catch(() => undefined);
      if (!nc) return undefined;
      try {
        return await body(nc);
      } catch {
        return undefined;
      } finally {
        await nc.close().catch(() => undefined);
      }
    };
    // Settled as the local cluster's harness defines it, by the same code: one leader every server
    // names and that hears them all, a fresh STATSZ from each at the leader (2.9 needs it before it
    // places replicas), and a server hit by 2.10.23+'s dropped Raft sends restarted.
    await waitForSettledMeta(
      {
        asked: () => servers,
        running: () => servers.filter((s) => s.state === 'running'),
        probe,
        restart: async (server) => {
          await server.kill();
          await server.start(START_TIMEOUT_MS);
        },
      },
      START_TIMEOUT_MS,
    ).catch((error: unknown) => {
      throw new Error(`operator cluster ${name}: ${(error as Error).message}`, { cause: error });
    });

    const strip = ({ jwt: _jwt, ...a }: OperatorAccount & { jwt: string }): OperatorAccount => a;
    return {
      name,
      urls: servers.map((s) => s.clientUrl),
      servers,
      system: strip(system),
      accounts: Object.fromEntries(accounts.map((a) => [a.name, strip(a)])),
      connect: connectTo,
      dispose,
    };
  } catch (error) {
    for (const s of servers) process.stderr.write(`\n--- ${s.name}: last log lines ---\n${s.lastLogLines(LOG_LINES_ON_FAILURE).join('\n')}\n`);
    await dispose();
    throw error;
  }
}

/** Starts the cluster before the suite and disposes it after; prints server logs after a failed test. */
export function useOperatorCluster(size: number, accountNames: readonly string[]): () => OperatorCluster {
  let cluster: OperatorCluster | undefined;
  beforeAll(async () => {
    cluster = await startOperatorCluster(size, accountNames);
  }, START_TIMEOUT_MS + 30_000);
  afterEach((context) => {
    if (!cluster || context.task.result?.state !== 'fail') return;
    for (const s of cluster.servers) process.stderr.write(`\n--- ${s.name}: last log lines ---\n${s.lastLogLines(LOG_LINES_ON_FAILURE).join('\n')}\n`);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });
  return () => {
    if (!cluster) throw new Error('the operator cluster is not running: its beforeAll hook failed');
    return cluster;
  };
}
