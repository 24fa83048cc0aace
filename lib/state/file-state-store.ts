import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { sleep } from '../util/sleep.js';
import { readEncodedSnapshot, type EncodedLoadSnapshot } from '../load/load-snapshot.js';
import { isObject, isRecordOf, readPlainFirst } from '../util/plain-tests.js';
import { auditStateSchema, emptyState, validAuditState, type AuditState } from './audit-state.js';
import { StateConflictError, type ConsumerCounterStore, type LoadedState, type StateStore } from './state-store.js';

const STATE_FILE_TYPE = 'io.nats-audit.v1.state' as const;

export interface FileStateStoreOptions {
  /** How long a save waits for another writer's lock. @default 5000 */
  readonly lockWaitMs?: number;
  /** A lock older than this was left by a writer that died mid-save (a save takes milliseconds). @default 30000 */
  readonly staleLockMs?: number;
}

const LOCK_RETRY_MS = 20;

export interface StateFile {
  type: typeof STATE_FILE_TYPE;
  clusters: Record<string, AuditState>;
  /**
   * Consumer counters by cluster (ConsumerCounterStore). Checked one by one
   * when read, not here: a bad entry costs one delivery rate, never the
   * file's findings.
   */
  consumerCounters?: Record<string, unknown>;
}

/** Built only to word what is wrong with a file {@link validStateFile} refused. */
export const stateFileSchema: z.ZodType<StateFile, unknown> = z.lazy(() =>
  z.object({
    type: z.literal(STATE_FILE_TYPE),
    clusters: z.record(z.string(), auditStateSchema),
    consumerCounters: z.record(z.string(), z.unknown()).optional(),
  }),
);

/**
 * {@link stateFileSchema}'s result by plain tests (held to the same verdict by
 * a property test), so a start reading the file it wrote builds no schema.
 */
export function validStateFile(raw: unknown): StateFile | undefined {
  if (!isObject(raw) || raw['type'] !== STATE_FILE_TYPE) return undefined;
  const { clusters: rawClusters, consumerCounters } = raw;
  if (!isRecordOf(rawClusters, () => true, () => true)) return undefined;
  if (consumerCounters !== undefined && !isRecordOf(consumerCounters, () => true, () => true)) return undefined;
  const clusters: Record<string, AuditState> = {};
  for (const [key, value] of Object.entries(rawClusters)) {
    const state = validAuditState(value);
    if (state === undefined) return undefined;
    clusters[key] = state;
  }
  return { type: STATE_FILE_TYPE, clusters, ...(consumerCounters === undefined ? {} : { consumerCounters: { ...consumerCounters } }) };
}

/**
 * The CLI's embedded state store: one JSON file holding every cluster's state.
 * Writes go to a temporary file renamed over the old one, so a crash mid-write
 * leaves the previous state intact. A file that fails validation is reported
 * and replaced, never trusted.
 */
export class FileStateStore implements StateStore, ConsumerCounterStore {
  readonly #lockWaitMs: number;
  readonly #staleLockMs: number;
  /**
   * The text last read and what it validated to: a save re-reads the file
   * under its lock, and when nothing changed since the load (the usual case)
   * the text need not be validated a second time.
   */
  #lastRead: { readonly text: string; readonly file: StateFile } | undefined;

  constructor(
    readonly path: string,
    options: FileStateStoreOptions = {},
  ) {
    this.#lockWaitMs = options.lockWaitMs ?? 5_000;
    this.#staleLockMs = options.staleLockMs ?? 30_000;
  }

  async load(clusterKey: string): Promise<LoadedState> {
    const read = await this.#read();
    return { state: read.file.clusters[clusterKey] ?? emptyState(), notice: read.notice };
  }

  /**
   * Read, check and write happen under a lock file: the file holds every
   * cluster, so two watchers of different clusters sharing the default path
   * would otherwise drop each other's state, and two of one cluster could both
   * pass the revision check.
   */
  async save(clusterKey: string, state: AuditState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await this.#locked(async () => {
      const { file } = await this.#read();
      const found = file.clusters[clusterKey]?.revision ?? 0;
      if (found !== state.revision - 1) throw new StateConflictError(clusterKey, state.revision - 1, found);
      file.clusters[clusterKey] = state;
      await this.#write(file);
    });
  }

  async loadConsumerCounters(clusterKey: string): Promise<EncodedLoadSnapshot | undefined> {
    const parsed = readEncodedSnapshot((await this.#read()).file.consumerCounters?.[clusterKey]);
    return parsed.success ? parsed.data : undefined;
  }

  async saveConsumerCounters(clusterKey: string, counters: EncodedLoadSnapshot): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await this.#locked(async () => {
      const { file } = await this.#read();
      file.consumerCounters = { ...file.consumerCounters, [clusterKey]: counters };
      await this.#write(file);
    });
  }

  async #write(file: StateFile): Promise<void> {
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, this.path);
  }

  async #locked(write: () => Promise<void>): Promise<void> {
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + this.#lockWaitMs;
    for (;;) {
      try {
        await (await open(lock, 'wx', 0o600)).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > this.#staleLockMs) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new Error(`state file ${this.path} is locked by another writer; remove ${lock} if no nats-audit is running`);
      }
      await sleep(LOCK_RETRY_MS);
    }
    try {
      await write();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  async #read(): Promise<{ file: StateFile; notice?: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file: emptyFile() };
      throw error;
    }
    const last = this.#lastRead;
    // A fresh file object each read: a save puts its own state into it.
    if (last?.text === text) return { file: { ...last.file, clusters: { ...last.file.clusters } } };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { file: emptyFile(), notice: `state file ${this.path} is not valid JSON; starting from an empty state and replacing it` };
    }
    const parsed = readPlainFirst(json, validStateFile, stateFileSchema);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
      return { file: emptyFile(), notice: `state file ${this.path} is corrupt (${where}); starting from an empty state and replacing it` };
    }
    this.#lastRead = { text, file: { ...parsed.data, clusters: { ...parsed.data.clusters } } };
    return { file: parsed.data };
  }
}

function emptyFile(): StateFile {
  return { type: STATE_FILE_TYPE, clusters: {} };
}
