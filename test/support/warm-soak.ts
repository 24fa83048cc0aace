/**
 * A warm-container soak: one process imports the bundled Lambda once and
 * runs epoch after epoch against a real cluster, dynalite and fauxqs, with
 * faults injected between quiet stretches (a server killed while SNS is down,
 * then restarted; a partition and its heal; a refused password and its fix).
 * It records what was published after every epoch and what the process held
 * after a full GC, and reports violations of the rules instead of throwing,
 * so a test and the `npm run soak` script judge the same figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../../lib/checks/index.js';
import { parseFleetConfig } from '../../lib/fleet/fleet-config.js';
import type { LocalCluster } from '../../lib/local-cluster/index.js';
import { startAuditStack, type AuditStack } from './audit-stack.js';
import { synthBundledLambda, type BundledLambda } from './bundled-lambda.js';
import type { SubscribedQueue } from './fauxqs.js';
import { testFleet } from './fleet-file.js';

const CHILD = fileURLToPath(new URL('./warm-handler-child.mjs', import.meta.url));
const MAIN = 'soak';
/** An epoch that cannot end gathering within 2 s has a loaded machine, not a fault, to blame. */
const GATHER_TIMEOUT_MS = 2_000;
/** After a heal, elections settle within seconds; this only bounds a cluster that never recovers. */
const RECOVERY_BUDGET_MS = 90_000;

export interface Holdings {
  readonly heapUsed: number;
  readonly rss: number;
  readonly fds: number;
  readonly sockets: number;
  readonly timers: number;
}

export interface WarmSoakOptions {
  /** Fault cycles; each ends with a quiet stretch and a checkpoint of what the process holds. */
  readonly cycles: number;
  /** Epochs per quiet stretch: each must be ok and publish nothing. */
  readonly quietEpochs: number;
  /** Epochs each fault lasts. */
  readonly faultEpochs: number;
  readonly progress?: (line: string) => void;
}

export interface WarmSoakResult {
  readonly epochs: number;
  readonly failedInvocations: number;
  readonly published: number;
  /** `cluster check` -> transitions in publication order. */
  readonly transitions: ReadonlyMap<string, readonly string[]>;
  /** After each cycle's opening quiet stretch (the first before any fault), and after a closing one. */
  readonly checkpoints: readonly Holdings[];
  readonly violations: readonly string[];
}

interface Reply {
  readonly outcome?: { status?: string; notified?: number; reason?: string };
  readonly error?: string;
  readonly holdings: Holdings;
}

export async function runWarmSoak(cluster: LocalCluster, options: WarmSoakOptions): Promise<WarmSoakResult> {
  const stack = await startAuditStack();
  let lambda: BundledLambda | undefined;
  let child: ChildProcess | undefined;
  try {
    const good = JSON.stringify({ user: cluster.system.user, password: cluster.system.password });
    const wrong = JSON.stringify({ user: cluster.system.user, password: `${cluster.system.password}-rotated-away` });
    stack.secrets.put('nats-audit/soak', good);
    // One cluster per cycle for the refused password: a warm container caches a secret that works
    // for minutes, so each refusal needs a secret this container has not read yet.
    const authClusters = Array.from({ length: options.cycles }, (_, k) => `soak-auth-${k}`);
    for (const name of authClusters) stack.secrets.put(`nats-audit/${name}`, wrong);
    const common = { servers: [...cluster.urls], expectServers: cluster.servers.length, audit: { timeoutMs: GATHER_TIMEOUT_MS } };
    const fleet = parseFleetConfig(
      testFleet([
        { name: MAIN, credentialsSecret: 'nats-audit/soak', ...common },
        ...authClusters.map((name) => ({ name, credentialsSecret: `nats-audit/${name}`, ...common })),
      ]),
      defaultRegistry(),
    );
    lambda = synthBundledLambda(fleet, stack);
    const queue = await stack.subscribe();
    child = fork(CHILD, [lambda.bundle], { env: lambda.env, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const soak = new Soak(child, queue, options.progress);
    await soak.ready;
    for (let k = 0; k < options.cycles; k++) await soak.cycle(cluster, stack, options, authClusters[k]!, good);
    // End as every cycle began, so the last checkpoint compares like with like.
    await soak.quiet(options.quietEpochs);
    return soak.result();
  } finally {
    child?.kill('SIGKILL');
    lambda?.dispose();
    await stack.close();
  }
}

class Soak {
  readonly ready: Promise<void>;
  readonly #child: ChildProcess;
  readonly #queue: SubscribedQueue;
  readonly #progress: (line: string) => void;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  readonly #transitions = new Map<string, string[]>();
  readonly #checkpoints: Holdings[] = [];
  readonly #violations: string[] = [];
  #minute = 0;
  #epochs = 0;
  #failed = 0;
  #published = 0;
  #last: Holdings | undefined;

  constructor(child: ChildProcess, queue: SubscribedQueue, progress?: (line: string) => void) {
    this.#child = child;
    this.#queue = queue;
    this.#progress = progress ?? (() => {});
    this.ready = new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`the warm handler process exited (${signal ?? code})`)));
      child.on('message', (m: Reply & { id?: number; ready?: boolean }) => {
        if (m.ready) return resolve();
        this.#pending.get(m.id!)?.(m);
        this.#pending.delete(m.id!);
      });
    });
  }

  /** One scheduled invocation; every message it published is drained and counted against what it says it notified. */
  async epoch(cluster: string): Promise<Reply> {
    const id = ++this.#epochs;
    const scheduledTime = new Date(Date.UTC(2026, 11, 1) + this.#minute++ * 60_000).toISOString();
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.send({ id, event: { cluster, scheduledTime } });
    });
    this.#last = reply.holdings;
    // fauxqs fans out inside the Publish call: what this epoch published is in the queue now.
    const messages = await this.#queue.drain();
    this.#published += messages.length;
    if (reply.error !== undefined) this.#failed++;
    // A failed invocation says nothing of what it sent (an audit that could not run announces its
    // audit_failed finding, then fails); the transition sequences below still hold it to once.
    const notified = reply.outcome?.notified ?? 0;
    if (reply.error === undefined && messages.length !== notified) {
      this.#violations.push(`epoch ${id} (${cluster}) said it notified ${notified} and published ${messages.length}`);
    }
    for (const m of messages) {
      const key = `${m.attributes.cluster} ${m.attributes.check}`;
      this.#transitions.set(key, [...(this.#transitions.get(key) ?? []), m.attributes.transition!]);
    }
    return reply;
  }

  /** Epochs of `cluster` until one is ok, within a deadline: recovery from a fault, whatever it announces. */
  async untilOk(cluster: string): Promise<void> {
    const deadline = Date.now() + RECOVERY_BUDGET_MS;
    for (;;) {
      const reply = await this.epoch(cluster);
      if (reply.outcome?.status === 'ok') return;
      if (Date.now() > deadline) {
        this.#violations.push(`${cluster} did not return to ok within ${RECOVERY_BUDGET_MS} ms (last: ${reply.error ?? reply.outcome?.status})`);
        return;
      }
    }
  }

  /** A quiet stretch: every epoch ok and publishing nothing; then a checkpoint of what the process holds. */
  async quiet(epochs: number): Promise<void> {
    await this.untilOk(MAIN);
    for (let i = 0; i < epochs; i++) {
      const reply = await this.epoch(MAIN);
      if (reply.outcome?.status !== 'ok' || reply.outcome.notified !== 0) {
        this.#violations.push(`quiet epoch ${this.#epochs}: ${reply.error ?? `${reply.outcome?.status}, notified ${reply.outcome?.notified}`}`);
      }
    }
    this.#checkpoints.push(this.#last!);
    const h = this.#last!;
    this.#progress(`checkpoint ${this.#checkpoints.length - 1}: ${this.#epochs} epochs, heap ${mib(h.heapUsed)}, rss ${mib(h.rss)}, fds ${h.fds}, sockets ${h.sockets}`);
  }

  async cycle(cluster: LocalCluster, stack: AuditStack, options: WarmSoakOptions, authCluster: string, good: string): Promise<void> {
    await this.quiet(options.quietEpochs);

    // A follower killed while SNS is down: the first epochs fail to publish and must not advance.
    const leader = await cluster.waitForMetaLeader();
    const victim = cluster.servers.map((s) => s.name).find((n) => n !== leader)!;
    stack.snsLink.cut();
    await cluster.kill(victim);
    for (let i = 0; i < options.faultEpochs; i++) {
      if (i === Math.ceil(options.faultEpochs / 2)) stack.snsLink.heal();
      await this.epoch(MAIN);
    }
    stack.snsLink.heal();
    await cluster.restart(victim);
    await cluster.waitForRouteMesh({ timeoutMs: RECOVERY_BUDGET_MS });
    await cluster.waitForMetaLeader({ timeoutMs: RECOVERY_BUDGET_MS });
    await this.untilOk(MAIN);

    // A partition and its heal.
    const ledNow = await cluster.waitForMetaLeader();
    const cut = cluster.servers.map((s) => s.name).find((n) => n !== ledNow)!;
    cluster.isolate(cut);
    for (let i = 0; i < options.faultEpochs; i++) await this.epoch(MAIN);
    cluster.heal();
    await cluster.waitForRouteMesh({ timeoutMs: RECOVERY_BUDGET_MS });
    await cluster.waitForMetaLeader({ timeoutMs: RECOVERY_BUDGET_MS });
    await this.untilOk(MAIN);

    // A refused password, then the secret fixed.
    for (let i = 0; i < options.faultEpochs; i++) await this.epoch(authCluster);
    stack.secrets.put(`nats-audit/${authCluster}`, good);
    await this.untilOk(authCluster);
  }

  result(): WarmSoakResult {
    for (const [key, sequence] of this.#transitions) {
      const problem = sequenceProblem(sequence);
      if (problem) this.#violations.push(`${key}: ${problem} in ${sequence.join(' ')}`);
    }
    return {
      epochs: this.#epochs,
      failedInvocations: this.#failed,
      published: this.#published,
      transitions: this.#transitions,
      checkpoints: this.#checkpoints,
      violations: this.#violations,
    };
  }
}

/**
 * Every transition published exactly once: a finding is announced `new`
 * once, changes in between, and `resolved` once, and everything was healed
 * by the end. A lost publication shows as a change without its `new`, a
 * repeated one as two `new` (or two `resolved`) in a row.
 */
export function sequenceProblem(sequence: readonly string[]): string | undefined {
  let open = false;
  for (const t of sequence) {
    if (t === 'new') {
      if (open) return 'announced new twice';
      open = true;
    } else if (!open) {
      return `${t} without new`;
    } else if (t === 'resolved') {
      open = false;
    }
  }
  return open ? 'never resolved' : undefined;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
