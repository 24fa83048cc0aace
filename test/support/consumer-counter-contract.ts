/** What every ConsumerCounterStore must do, run against each store (memory and file in unit tests, DynamoDB against dynalite). */
import { expect, it } from 'vitest';
import type { EncodedLoadSnapshot } from '../../lib/load/load-snapshot.js';
import type { ConsumerCounterStore, StateStore } from '../../lib/state/state-store.js';
import { stateAt } from './state-fixtures.js';

export function countersAt(epoch: number, seqs: readonly number[] = [100, 200]): EncodedLoadSnapshot {
  return { v: 1, epoch, at: [[1_767_268_800_000, seqs.length]], k: 'AAAAAAAA'.repeat(seqs.length), s: [...seqs], a: seqs.map(() => 0) };
}

export interface CounterStoreFixture {
  readonly store: () => StateStore & ConsumerCounterStore;
  /** Leaves unreadable consumer counters for `clusterKey` where the store keeps them (stores that persist bytes). */
  readonly corrupt?: (clusterKey: string) => Promise<void>;
}

export function consumerCounterContract(fixture: () => CounterStoreFixture, options: { readonly persists: boolean }): void {
  it('consumer counters: none before the first save, then what was saved, per cluster, the last save winning', async () => {
    const { store } = fixture();
    expect(await store().loadConsumerCounters('c1')).toBeUndefined();
    await store().saveConsumerCounters('c1', countersAt(1));
    await store().saveConsumerCounters('c2', countersAt(2, [7]));
    await store().saveConsumerCounters('c1', countersAt(6, [300, 400]));
    expect(await store().loadConsumerCounters('c1')).toEqual(countersAt(6, [300, 400]));
    expect(await store().loadConsumerCounters('c2')).toEqual(countersAt(2, [7]));
  });

  it('consumer counters live beside the state: saving either leaves the other as it was', async () => {
    const { store } = fixture();
    await store().save('c1', stateAt(1));
    await store().saveConsumerCounters('c1', countersAt(1));
    expect((await store().load('c1')).state).toEqual(stateAt(1));
    await store().save('c1', stateAt(2));
    expect(await store().loadConsumerCounters('c1')).toEqual(countersAt(1));
  });

  if (!options.persists) return;
  it('unreadable consumer counters read as none, without touching the state, and the next save replaces them', async () => {
    const { store, corrupt } = fixture();
    await store().save('c1', stateAt(1));
    await corrupt!('c1');
    expect(await store().loadConsumerCounters('c1')).toBeUndefined();
    expect((await store().load('c1')).state).toEqual(stateAt(1));
    await store().saveConsumerCounters('c1', countersAt(3));
    expect(await store().loadConsumerCounters('c1')).toEqual(countersAt(3));
  });
}
