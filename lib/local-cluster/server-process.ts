import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { trackChild, untrackChild } from './child-reaper.js';
import { NatsServerMissingError, ServerStartError } from './errors.js';
import { pollUntil } from '../util/poll.js';

const LOOPBACK = '127.0.0.1';
/** Log lines kept in memory per server for error messages. */
const LOG_RING_SIZE = 200;
/** Log lines quoted in a start failure. */
const LOG_LINES_IN_ERRORS = 25;
const INFO_PROBE_TIMEOUT_MS = 1_000;

export type ServerState = 'running' | 'paused' | 'killed';

export interface ServerProcessOptions {
  readonly name: string;
  readonly binary: string;
  readonly configFile: string;
  /** The server's own directory: pid file, log file and JetStream store live here. */
  readonly dir: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly onLog?: (line: string) => void;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Ask a client or route port for its INFO line; the server name and id in it tell our server from a stranger on the port. */
function probeInfo(port: number): Promise<{ serverId: string; serverName: string } | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    let buffered = '';
    const finish = (result: { serverId: string; serverName: string } | undefined): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(INFO_PROBE_TIMEOUT_MS, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\r\n');
      if (end < 0) return;
      const line = buffered.slice(0, end);
      if (!line.startsWith('INFO ')) return finish(undefined);
      try {
        const info = JSON.parse(line.slice('INFO '.length)) as { server_id?: unknown; server_name?: unknown };
        if (typeof info.server_id === 'string' && typeof info.server_name === 'string') {
          return finish({ serverId: info.server_id, serverName: info.server_name });
        }
      } catch {
        // fall through: not a NATS server
      }
      finish(undefined);
    });
  });
}

/** One nats-server child process, restartable with the same config and store. */
export class ServerProcess {
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly clientUrl: string;
  private readonly options: ServerProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  private lastExit: Exit | undefined;
  private currentState: ServerState = 'killed';
  private serverId: string | undefined;
  private spawnedAt: number | undefined;
  private readonly logRing: string[] = [];

  constructor(options: ServerProcessOptions) {
    this.options = options;
    this.name = options.name;
    this.clientPort = options.clientPort;
    this.clusterPort = options.clusterPort;
    this.clientUrl = `nats://${LOOPBACK}:${options.clientPort}`;
  }

  get state(): ServerState {
    return this.currentState;
  }

  get pid(): number | undefined {
    return this.currentState === 'killed' ? undefined : this.child?.pid;
  }

  /** The server id from its INFO; a new one on every start. */
  get id(): string | undefined {
    return this.serverId;
  }

  /**
   * When the running process was spawned (epoch ms); undefined before the
   * first start. Taken before the spawn, after the previous process exited,
   * so nothing that process sent can look newer.
   */
  get startedAt(): number | undefined {
    return this.spawnedAt;
  }

  get logFile(): string {
    return join(this.options.dir, 'nats-server.log');
  }

  lastLogLines(count = LOG_LINES_IN_ERRORS): string[] {
    return this.logRing.slice(-count);
  }

  /** Spawn the server and wait until it answers on its client and route ports. */
  async start(timeoutMs: number): Promise<void> {
    if (this.currentState !== 'killed') throw new Error(`nats-server ${this.name} is already ${this.currentState}`);
    this.serverId = undefined;
    this.lastExit = undefined;
    this.spawnedAt = Date.now();
    const child = await this.spawnChild();
    // 2.9 serves clients before it binds the route port, and exits if that
    // bind fails; only both INFOs from the same process mean it is up.
    const info = await pollUntil(
      async () => {
        if (this.child !== child || this.lastExit) {
          const how = this.lastExit ? describeExit(this.lastExit) : 'it was replaced';
          throw new ServerStartError(this.name, `the process exited during start (${how})`, this.lastLogLines());
        }
        const client = await probeInfo(this.clientPort);
        if (client?.serverName !== this.name) return undefined;
        const route = await probeInfo(this.clusterPort);
        return route?.serverId === client.serverId ? client : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
    if (!info) {
      await this.kill();
      throw new ServerStartError(
        this.name,
        `no INFO on client port ${this.clientPort} and route port ${this.clusterPort} within ${timeoutMs} ms`,
        this.lastLogLines(),
      );
    }
    this.serverId = info.serverId;
  }

  private spawnChild(): Promise<ChildProcess> {
    const pidFile = join(this.options.dir, 'nats-server.pid');
    const child = spawn(this.options.binary, ['-c', this.options.configFile, '--pid', pidFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT' || err.code === 'EACCES'
            ? new NatsServerMissingError(`${this.options.binary} could not be run (${err.code})`, { cause: err })
            : new ServerStartError(this.name, `spawn failed: ${err.message}`, this.lastLogLines(), { cause: err }),
        );
      });
      child.once('spawn', () => {
        const pid = child.pid;
        if (pid === undefined) return reject(new ServerStartError(this.name, 'spawned without a pid', []));
        this.child = child;
        this.currentState = 'running';
        trackChild(pid);
        this.exited = new Promise((resolveExit) => {
          child.once('exit', (code, signal) => {
            untrackChild(pid);
            const exit = { code, signal };
            if (this.child === child) {
              this.lastExit = exit;
              this.currentState = 'killed';
            }
            this.recordLine(`[local-cluster] nats-server ${this.name} (pid ${pid}) exited: ${describeExit(exit)}`);
            resolveExit(exit);
          });
        });
        this.captureOutput(child);
        resolve(child);
      });
    });
  }

  private captureOutput(child: ChildProcess): void {
    // nats-server logs to stderr; also keep a file beside the store for a
    // post-mortem after the process (or the test run) is gone.
    const file = createWriteStream(this.logFile, { flags: 'a' });
    file.on('error', () => undefined);
    let open = 0;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      open++;
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        file.write(`${line}\n`);
        this.recordLine(line);
      });
      lines.on('close', () => {
        if (--open === 0) file.end();
      });
    }
  }

  private recordLine(line: string): void {
    this.logRing.push(line);
    if (this.logRing.length > LOG_RING_SIZE) this.logRing.shift();
    this.options.onLog?.(`[${this.name}] ${line}`);
  }

  /** SIGKILL (works on a stopped process too) and wait for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.currentState === 'killed') return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * SIGTERM, as an init system stops a server in a rolling restart: the
   * server shuts down cleanly (a meta or group leader hands over nothing; its
   * peers elect). Waits for the exit.
   */
  async terminate(): Promise<void> {
    const child = this.child;
    if (!child || this.currentState === 'killed') return;
    if (this.currentState === 'paused') child.kill('SIGCONT');
    child.kill('SIGTERM');
    await this.exited;
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, like a hung server. */
  pause(): void {
    if (this.currentState !== 'running') throw new Error(`cannot pause ${this.name}: it is ${this.currentState}`);
    this.child?.kill('SIGSTOP');
    this.currentState = 'paused';
  }

  resume(): void {
    if (this.currentState !== 'paused') throw new Error(`cannot resume ${this.name}: it is ${this.currentState}`);
    this.child?.kill('SIGCONT');
    this.currentState = 'running';
  }
}

function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}
