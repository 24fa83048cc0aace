/**
 * A publisher that keeps writing through leader elections, retrying each
 * message under its msgID until acknowledged, and the reconciliation that
 * proves no acknowledged message was lost or duplicated.
 */
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';

/**
 * How long one message may go unacknowledged before the test gives up: far
 * beyond a leader election (at most ~9 s of Raft timeout, longer on a loaded
 * machine), and well inside JetStream's default 2-minute duplicate window, so
 * every retry of a message is de-duplicated by its msgID.
 */
const PUBLISH_BUDGET_MS = 60_000;
/** Pause between attempts at one message; the budget, not a count, ends the retries. */
const PUBLISH_RETRY_PAUSE_MS = 100;

export interface Published {
  /** Acknowledged messages per stream: what each stream must hold beyond its baseline, no more, no less. */
  readonly acked: Map<string, number>;
  /** Messages each stream held before this publisher's first publish (an earlier test's, say). */
  readonly baseline: Map<string, number>;
  /** Failed attempts (election blips), all later acknowledged. */
  readonly blips: number;
  /** The longest time one message went unacknowledged, and the sum over all messages. */
  readonly unavailableMs: { readonly longest: number; readonly total: number };
}

/**
 * Publishes to every stream in turn until stopped, retrying each message
 * (same msgID) until acknowledged. Two measurements stay apart: how long
 * publishes failed (unavailability, reported) and whether anything
 * acknowledged went missing (loss, checked against the streams afterwards).
 */
export function startPublisher(app: NatsConnection, streams: readonly string[]) {
  const js = app.jetstream({ timeout: 2_000 });
  const acked = new Map(streams.map((s) => [s, 0]));
  const baseline = new Map<string, number>();
  // Unique per publisher: msgIDs only de-duplicate this publisher's retries, never
  // an earlier publisher's messages to the same streams within the duplicate window.
  const run = randomBytes(4).toString('hex');
  let blips = 0;
  let longest = 0;
  let total = 0;
  let running = true;
  const done = (async () => {
    const jsm = await app.jetstreamManager();
    for (const stream of streams) baseline.set(stream, (await jsm.streams.info(stream)).state.messages);
    for (let i = 0; running; i++) {
      const stream = streams[i % streams.length]!;
      const firstTry = Date.now();
      let failedSince: number | undefined;
      for (;;) {
        try {
          await js.publish(`${stream}.orders`, new TextEncoder().encode(`m${i}`), { msgID: `${run}-${stream}-${i}` });
          acked.set(stream, acked.get(stream)! + 1);
          break;
        } catch (error) {
          failedSince ??= firstTry;
          blips++;
          if (Date.now() - firstTry > PUBLISH_BUDGET_MS) {
            throw new Error(`${stream} message ${i} unacknowledged for ${PUBLISH_BUDGET_MS} ms: an outage, not an election`, { cause: error });
          }
          await new Promise((r) => setTimeout(r, PUBLISH_RETRY_PAUSE_MS));
        }
      }
      if (failedSince !== undefined) {
        const unavailable = Date.now() - failedSince;
        longest = Math.max(longest, unavailable);
        total += unavailable;
      }
    }
  })();
  return {
    /** Messages acknowledged so far, all streams together. */
    acknowledged: (): number => [...acked.values()].reduce((a, b) => a + b, 0),
    stop: async (): Promise<Published> => {
      running = false;
      await done;
      return { acked, baseline, blips, unavailableMs: { longest, total } };
    },
  };
}

/** Acknowledged messages a stream does not hold (loss), and messages it holds beyond them (duplicates). */
export async function reconcile(app: NatsConnection, published: Published): Promise<{ lost: number; duplicated: number }> {
  const jsm = await app.jetstreamManager();
  let lost = 0;
  let duplicated = 0;
  for (const [stream, acked] of published.acked) {
    const held = (await jsm.streams.info(stream)).state.messages - (published.baseline.get(stream) ?? 0);
    lost += Math.max(0, acked - held);
    duplicated += Math.max(0, held - acked);
  }
  return { lost, duplicated };
}

