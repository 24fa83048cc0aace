import { consumerLoad } from '../load/consumer-counters.js';
import type { LoadRates } from '../load/group-rates.js';
import type { Observation } from '../observation/types.js';
import type { ConsumerCounterStore } from '../state/state-store.js';
import { errorText } from '../util/error-text.js';

export interface ConsumerRating {
  /** Delivery rates since the remembered counters, when there were any. */
  readonly rates?: LoadRates | undefined;
  /** The epoch the counters now stored date from; undefined when they could not be saved. */
  readonly savedEpoch?: number | undefined;
  /** What went wrong, for the report; the findings do not depend on it. */
  readonly notice?: string | undefined;
}

/**
 * Rates consumers against their remembered counters and stores this epoch's
 * (lib/load/consumer-counters.ts decides when). A store that fails costs the
 * delivery rates, never the epoch: the state item is not told of counters
 * that were not saved, so the next epoch tries again.
 */
export async function rateConsumers(
  store: ConsumerCounterStore,
  clusterKey: string,
  observation: Pick<Observation, 'groups' | 'servers'>,
  epoch: number,
): Promise<ConsumerRating> {
  let remembered;
  try {
    remembered = await store.loadConsumerCounters(clusterKey);
  } catch (error) {
    return { notice: `consumer counters could not be read (${errorText(error)}); no delivery rates this epoch` };
  }
  const { rates, next } = consumerLoad(remembered, observation, epoch);
  try {
    await store.saveConsumerCounters(clusterKey, next);
    return { rates, savedEpoch: epoch };
  } catch (error) {
    return { rates, notice: `consumer counters could not be saved (${errorText(error)}); the next epoch rates consumers again` };
  }
}
