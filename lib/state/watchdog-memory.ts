import * as z from 'zod';

/** What the watchdog remembers between its runs: whom it watches since when, and what it last announced. */
export const watchdogRecallSchema = z.object({
  /** Cluster name → when the watchdog first saw it (epoch ms). */
  watching: z.record(z.string(), z.number().finite()),
  /** Clusters last announced as stale, and as failing. */
  stale: z.array(z.string()),
  failing: z.array(z.string()),
});

export type WatchdogRecall = z.infer<typeof watchdogRecallSchema>;

/**
 * One small item per environment. Written only when something in it changed
 * (a cluster added or removed, a cluster going stale, failing or back), so
 * a quiet watchdog run costs one read.
 */
export interface WatchdogMemory {
  load(environment: string): Promise<WatchdogRecall>;
  save(environment: string, recall: WatchdogRecall): Promise<void>;
}

export function emptyRecall(): WatchdogRecall {
  return { watching: {}, stale: [], failing: [] };
}

/** For tests and the bench: the recall for the life of the process. */
export class MemoryWatchdogMemory implements WatchdogMemory {
  readonly #items = new Map<string, WatchdogRecall>();
  /** Saves so far, for assertions on write counts. */
  saves = 0;

  async load(environment: string): Promise<WatchdogRecall> {
    return structuredClone(this.#items.get(environment) ?? emptyRecall());
  }

  async save(environment: string, recall: WatchdogRecall): Promise<void> {
    this.saves++;
    this.#items.set(environment, structuredClone(recall));
  }
}
