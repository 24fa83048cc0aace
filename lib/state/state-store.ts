import type { EncodedLoadSnapshot } from '../load/load-snapshot.js';
import type { AuditState } from './audit-state.js';

export interface LoadedState {
  readonly state: AuditState;
  /** Something the operator should know, e.g. a corrupt state that was replaced. */
  readonly notice?: string;
}

/**
 * Where epochs are remembered between runs: a local file for the CLI,
 * DynamoDB for the Lambda. Keyed by cluster so one store can serve a fleet.
 */
export interface StateStore {
  load(clusterKey: string): Promise<LoadedState>;
  /**
   * Saves `state` whose revision is one more than the loaded one; throws
   * StateConflictError when another writer saved in between.
   */
  save(clusterKey: string, state: AuditState): Promise<void>;
}

/**
 * Where consumer counters are kept apart from the state item, so that only
 * the epochs that rate consumers pay for their bytes
 * (lib/load/consumer-counters.ts). A save replaces the counters
 * unconditionally: they are a reading, and the later one is as good as any.
 */
export interface ConsumerCounterStore {
  loadConsumerCounters(clusterKey: string): Promise<EncodedLoadSnapshot | undefined>;
  saveConsumerCounters(clusterKey: string, counters: EncodedLoadSnapshot): Promise<void>;
}

/** Another epoch for the same cluster saved first; this epoch's state must not overwrite it. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  constructor(clusterKey: string, expected: number, found: number) {
    super(`state for ${clusterKey} changed while this epoch ran (expected revision ${expected}, found ${found})`);
  }
}

/** Keeps state only for the life of the process: for offline analysis and tests. */
export class MemoryStateStore implements StateStore, ConsumerCounterStore {
  readonly #states = new Map<string, AuditState>();
  readonly #consumerCounters = new Map<string, EncodedLoadSnapshot>();

  async load(clusterKey: string): Promise<LoadedState> {
    const state = this.#states.get(clusterKey);
    return { state: state ? structuredClone(state) : { revision: 0, epoch: 0, open: [], history: [] } };
  }

  async save(clusterKey: string, state: AuditState): Promise<void> {
    const found = this.#states.get(clusterKey)?.revision ?? 0;
    if (found !== state.revision - 1) throw new StateConflictError(clusterKey, state.revision - 1, found);
    this.#states.set(clusterKey, structuredClone(state));
  }

  async loadConsumerCounters(clusterKey: string): Promise<EncodedLoadSnapshot | undefined> {
    const counters = this.#consumerCounters.get(clusterKey);
    return counters && structuredClone(counters);
  }

  async saveConsumerCounters(clusterKey: string, counters: EncodedLoadSnapshot): Promise<void> {
    this.#consumerCounters.set(clusterKey, structuredClone(counters));
  }
}
