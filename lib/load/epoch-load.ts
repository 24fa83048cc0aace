/**
 * What one epoch does with load: rates from the counters the state
 * remembers, and the counters to remember next. Pure; run-epoch.ts calls it
 * between loading and saving the state.
 */
import type { Observation } from '../observation/types.js';
import { groupRates, type LoadRates } from './group-rates.js';
import { decodeSnapshot, encodeSnapshot, nextSnapshot, type EncodedLoadSnapshot } from './load-snapshot.js';

export interface EpochLoad {
  /** Rates for the checks; undefined on a first epoch or without remembered counters. */
  readonly rates?: LoadRates | undefined;
  /** The counters to save; undefined to save none (load not tracked). */
  readonly next?: EncodedLoadSnapshot | undefined;
  /** The epoch of the consumer counters saved by this epoch in their own item (consumer-counters.ts); undefined: none saved now. */
  readonly consumerCountersEpoch?: number | undefined;
}

/**
 * `tracked` false (the load check skipped): no rates, and nothing saved, so
 * the state item does not carry counters nobody reads. Without an
 * observation (the audit failed) the remembered counters are kept as they were.
 */
export function epochLoad(
  remembered: EncodedLoadSnapshot | undefined,
  observation: Pick<Observation, 'groups' | 'servers'> | undefined,
  epoch: number,
  tracked: boolean,
): EpochLoad {
  if (!tracked) return {};
  if (observation === undefined) return { next: remembered };
  const previous = remembered === undefined ? undefined : decodeSnapshot(remembered);
  return { rates: groupRates(previous, observation), next: encodeSnapshot(nextSnapshot(previous, observation, epoch)) };
}
