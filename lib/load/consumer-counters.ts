/**
 * Consumer delivery rates between epochs. Pure; run-epoch.ts reads and
 * writes the counters through a ConsumerCounterStore.
 *
 * Consumers are most of a cluster's Raft groups (three a stream in the
 * bench), so their counters would be most of the state item's bytes, which
 * are billed on every epoch. They live in an item of their own instead, read
 * and written only on an epoch where every server sent detail and the
 * remembered counters are at least `every` epochs old (the load detail
 * cadence, 5 by default): a delivery rate over five minutes at a one-minute
 * schedule, for a fifth of the write units. The state item carries only the
 * epoch they date from, so no other epoch reads them.
 *
 * Deliveries are reported beside the write load, never judged: a consumer's
 * leader sends its messages, but write load is what leadership concentrates
 * and what the load check and `rebalance --by load` balance.
 */
import type { Observation } from '../observation/types.js';
import { groupRates, type LoadRates } from './group-rates.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  everyServerSentDetail,
  MAX_COUNTER_AGE_MS,
  nextSnapshot,
  type EncodedLoadSnapshot,
} from './load-snapshot.js';

/**
 * Whether this epoch rates consumers: every server sent detail (every
 * consumer's counters are fresh) and the remembered counters, dated by
 * `rememberedEpoch`, are `every` epochs old or absent.
 */
export function consumerCountersDue(
  rememberedEpoch: number | undefined,
  epoch: number,
  every: number,
  observation: Pick<Observation, 'servers'>,
): boolean {
  if (!everyServerSentDetail(observation)) return false;
  return rememberedEpoch === undefined || epoch - rememberedEpoch >= every;
}

export interface ConsumerLoad {
  /** Delivery rates against the remembered counters; undefined when none are remembered, or they are too old to say anything about now. */
  readonly rates?: LoadRates | undefined;
  /** The counters to remember, dated `epoch`. */
  readonly next: EncodedLoadSnapshot;
}

export function consumerLoad(
  remembered: EncodedLoadSnapshot | undefined,
  observation: Pick<Observation, 'groups' | 'servers'>,
  epoch: number,
): ConsumerLoad {
  const previous = remembered === undefined ? undefined : decodeSnapshot(remembered);
  const fresh = previous !== undefined && newest(previous.entries.values()) >= newest(observation.groups.map((g) => g.counters)) - MAX_COUNTER_AGE_MS;
  return {
    rates: fresh ? groupRates(previous, observation, { kind: 'consumer' }) : undefined,
    next: encodeSnapshot(nextSnapshot(undefined, observation, epoch, { kind: 'consumer' })),
  };
}

function newest(readings: Iterable<{ readonly at: number } | undefined>): number {
  let at = 0;
  for (const r of readings) if (r !== undefined && r.at > at) at = r.at;
  return at;
}
