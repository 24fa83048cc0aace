/**
 * One nats-server started from config text a test writes itself, for
 * suites that need a server shape lib/local-cluster does not build (TLS,
 * nkeys, operator/JWT mode, tokens). Loopback only; the process is
 * SIGKILLed and its temp dir removed on dispose, and as a last resort when
 * the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { findNatsServer, freePort, NatsServerMissingError } from '../../lib/local-cluster/index.js';

const LOOPBACK = '127.0.0.1';
/** Start budget: 2.9 is ready in ~50 ms; generous for a loaded 2-core CI box. */
const DEFAULT_START_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 50;
const INFO_PROBE_TIMEOUT_MS = 1_000;
/** Log lines kept in memory for error messages and failed-test dumps. */
const LOG_RING_SIZE = 200;
const LOG_LINES_IN_ERRORS = 25;
/** Other test files start servers on `freePort` ports too; one can win the race for a port. */
const PORT_TAKEN = /address already in use/;
const START_ATTEMPTS = 3;
/** `[INF]   ID:       N...`, logged before the client port is bound. */
const LOGGED_SERVER_ID = /\bID:\s+(N[A-Z0-9]{55})\b/;

/** Where the config text may put the server: its client port and a private directory (JetStream store, files). */
export interface SingleServerPlace {
  readonly port: number;
  readonly dir: string;
}

export interface SingleServerOptions {
  /** Label in error messages and log dumps. @default 'nats-server' */
  readonly label?: string;
  /** @default 10000 */
  readonly startTimeoutMs?: number;
}

export interface SingleServer extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** The server id from its INFO line. */
  readonly serverId: string;
  lastLogLines(count?: number): string[];
  /** SIGKILL, wait for the exit, remove the temp dir; idempotent. */
  dispose(): Promise<void>;
}

/** Thrown when the server exits or stays silent while starting; the message quotes its last log lines. */
export class SingleServerStartError extends Error {
  override readonly name = 'SingleServerStartError';
  /** Another process bound the port between `freePort` and the server's bind: worth another port. */
  readonly portTaken: boolean;
  constructor(label: string, reason: string, lastLogLines: readonly string[], options?: { cause?: unknown }) {
    super(
      `${label} did not start: ${reason}` +
        (lastLogLines.length > 0 ? `\nlast log lines of ${label}:\n  ${lastLogLines.join('\n  ')}` : '\n(it logged nothing)'),
      options,
    );
    this.portTaken = lastLogLines.some((line) => PORT_TAKEN.test(line));
  }
}

/**
 * Starts one nats-server with the config `configText` returns for a free
 * loopback port and a fresh temp dir, and resolves once that very process
 * (not a stranger that took the port first) sends INFO on the port. The
 * config must log to stderr (no `log_file`): the server id it logs is how
 * the process is told apart from a stranger. A port lost to another
 * process in the meantime is retried on a new one.
 */
export async function startSingleServer(
  configText: (place: SingleServerPlace) => string,
  options: SingleServerOptions = {},
): Promise<SingleServer> {
  const binary = findNatsServer();
  if (binary === undefined) {
    throw new NatsServerMissingError('none was found (NATS_SERVER_BIN unset, nothing on PATH or in /usr/sbin, /usr/local/bin, /usr/bin)');
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, configText, options);
    } catch (err) {
      if (!(err instanceof SingleServerStartError && err.portTaken) || attempt >= START_ATTEMPTS) throw err;
    }
  }
}

async function startOnce(
  binary: string,
  configText: (place: SingleServerPlace) => string,
  options: SingleServerOptions,
): Promise<SingleServer> {
  const label = options.label ?? 'nats-server';
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const dir = await mkdtemp(join(tmpdir(), 'nats-audit-server-'));
  liveDirs.add(dir);
  let port: number;
  let child: ChildProcess;
  try {
    port = await freePort();
    const configFile = join(dir, 'server.conf');
    await writeFile(configFile, configText({ port, dir }), { mode: 0o600 });
    child = await spawnServer(binary, configFile, label);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
  const log: string[] = [];
  const lastLogLines = (count = LOG_LINES_IN_ERRORS): string[] => log.slice(-count);
  let loggedId: string | undefined;
  const pid = child.pid!;
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    // 'close', not 'exit': the last log lines (a FTL) are in by then.
    child.once('close', (code, signal) => {
      livePids.delete(pid);
      exit = signal === null ? `exit code ${code}` : `signal ${signal}`;
      resolve();
    });
  });
  captureLines(child, (line) => {
    loggedId ??= LOGGED_SERVER_ID.exec(line)?.[1];
    log.push(line);
    if (log.length > LOG_RING_SIZE) log.shift();
  });

  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> =>
    (disposed ??= (async () => {
      if (exit === undefined) child.kill('SIGKILL');
      await exited;
      await removeDir(dir);
    })());

  try {
    const serverId = await waitUntilReady(port, timeoutMs, () => {
      if (exit !== undefined) throw new SingleServerStartError(label, `the process exited during start (${exit})`, lastLogLines());
      return loggedId;
    });
    if (serverId === undefined) {
      const why = loggedId === undefined ? ' (it never logged its server id: does the config set log_file?)' : '';
      throw new SingleServerStartError(label, `no INFO from this process on port ${port} within ${timeoutMs} ms${why}`, lastLogLines());
    }
    return {
      url: `nats://${LOOPBACK}:${port}`,
      port,
      dir,
      pid,
      serverId,
      lastLogLines,
      dispose,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/**
 * Starts a server before the suite's tests (the config function runs then,
 * so files made by earlier `beforeAll` hooks can be referenced) and disposes
 * it after them; dumps its log tail when a test fails. Returns an accessor.
 */
export function useSingleServer(
  configText: (place: SingleServerPlace) => string,
  options: SingleServerOptions = {},
): () => SingleServer {
  let server: SingleServer | undefined;
  beforeAll(async () => {
    server = await startSingleServer(configText, options);
  });
  afterEach((context) => {
    if (server && context.task.result?.state === 'fail') {
      process.stderr.write(
        `\n--- ${options.label ?? 'nats-server'} after "${context.task.name}" failed: last log lines ---\n${server.lastLogLines(30).join('\n')}\n`,
      );
    }
  });
  afterAll(async () => {
    await server?.dispose();
  });
  return () => {
    if (!server) throw new Error(`${options.label ?? 'nats-server'} is not running: its beforeAll hook failed or has not run yet`);
    return server;
  };
}

function spawnServer(binary: string, configFile: string, label: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT' || err.code === 'EACCES'
          ? new NatsServerMissingError(`${binary} could not be run (${err.code})`, { cause: err })
          : new SingleServerStartError(label, `spawn failed: ${err.message}`, [], { cause: err }),
      );
    });
    child.once('spawn', () => {
      livePids.add(child.pid!);
      installExitReaper();
      resolve(child);
    });
  });
}

function captureLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  }
}

/**
 * Polls until the INFO on `port` carries the id our process logged.
 * `check` throws when the process is gone and returns its logged id once known.
 */
async function waitUntilReady(port: number, timeoutMs: number, check: () => string | undefined): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const loggedId = check();
    if (loggedId !== undefined && (await infoServerId(port)) === loggedId) {
      check(); // an exit between the probe and now still wins
      return loggedId;
    }
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

/** The `server_id` of the INFO line on `port`, or undefined when nothing (NATS) answers. Never rejects. */
function infoServerId(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    let buffered = '';
    const finish = (id: string | undefined): void => {
      socket.destroy();
      resolve(id);
    };
    socket.setTimeout(INFO_PROBE_TIMEOUT_MS, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n');
      if (end < 0) return;
      const m = /^INFO\s+(\{.*\})\s*$/.exec(buffered.slice(0, end));
      try {
        const info = m?.[1] === undefined ? undefined : (JSON.parse(m[1]) as { server_id?: unknown });
        finish(typeof info?.server_id === 'string' ? info.server_id : undefined);
      } catch {
        finish(undefined);
      }
    });
  });
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

// Last resort for a run that ends without disposing (a crashed worker, an
// interrupted run): no nats-server outlives the test process.
const livePids = new Set<number>();
const liveDirs = new Set<string>();
let reaperInstalled = false;

function installExitReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}
