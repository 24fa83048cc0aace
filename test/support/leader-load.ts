/**
 * The leader-load scenario on a real cluster, shared by the CLI's and the
 * scheduled auditor's tests: R3 streams whose leaders are placed so every
 * server leads the same number, a publisher writing only into one server's,
 * waits for enough writes between two readings, and the busiest server's
 * share of the writes as the servers' own figures show it.
 */
import type { NatsConnection } from 'nats';
import { concentrateLeaders, streamLeaders } from '../../lib/local-cluster/index.js';
import { pollUntil } from '../../lib/util/poll.js';
import { readStreams, writeRates } from './write-rates.js';

/** Messages acknowledged between two readings (epochs, or the test's own): rates well above noise. */
export const WRITES_BETWEEN_READINGS = 300;
/** And at least this long between them by the clock: rates need readings a second or more apart. */
export const MIN_READING_GAP_MS = 2_000;
/** How long the writes may take; a loaded 2-core machine is slow, a stalled cluster is a failure. */
const WRITES_TIMEOUT_MS = 60_000;

/** Steps each stream down until the server it is listed under leads it, and checks that every one does. */
export async function placeLeaders(app: NatsConnection, leaders: Readonly<Record<string, readonly string[]>>): Promise<void> {
  for (const [server, streams] of Object.entries(leaders)) await concentrateLeaders(app, { onto: server, streams });
  const now = await streamLeaders(app, Object.values(leaders).flat());
  const misplaced = Object.entries(leaders).flatMap(([server, streams]) => streams.filter((s) => now[s] !== server).map((s) => `${s} led by ${now[s]}, not ${server}`));
  if (misplaced.length > 0) throw new Error(`leaders not placed: ${misplaced.join('; ')}`);
}

/**
 * Waits until `publisher` has acknowledged {@link WRITES_BETWEEN_READINGS}
 * more messages than `fromAcked` and {@link MIN_READING_GAP_MS} passed since
 * `sinceMs` (epoch ms; 0 for no gap).
 */
export async function waitForWrites(publisher: { acknowledged: () => number }, fromAcked: number, sinceMs: number): Promise<void> {
  const reached = await pollUntil(
    async () => (publisher.acknowledged() - fromAcked >= WRITES_BETWEEN_READINGS && Date.now() - sinceMs >= MIN_READING_GAP_MS) || undefined,
    { timeoutMs: WRITES_TIMEOUT_MS, intervalMs: 100 },
  );
  if (!reached) throw new Error(`${WRITES_BETWEEN_READINGS} writes not acknowledged within ${WRITES_TIMEOUT_MS} ms (${publisher.acknowledged() - fromAcked} were)`);
}

export interface MeasuredWrites {
  /** Messages per second per leading server, from the servers' own `last_seq` and `now`. */
  readonly perServer: Map<string, number>;
  /** The busiest server's part of all writes, 0 to 1. */
  readonly busiestShare: number;
  /** Streams whose leader changed between the two readings (left out of the rates). */
  readonly moved: string[];
}

/**
 * Each server's writes between two JSZ readings of `servers` servers with
 * enough writes between them. Shares, not messages per second, are what a
 * test compares with a plan: the publisher's speed changes as its writes go
 * to more leaders, while a planned share of the busiest server does not.
 */
export async function measureWrites(sys: NatsConnection, servers: number, publisher: { acknowledged: () => number }): Promise<MeasuredWrites> {
  const from = await readStreams(sys, servers);
  await waitForWrites(publisher, publisher.acknowledged(), Date.now());
  const { perServer, moved } = writeRates(from, await readStreams(sys, servers));
  const total = [...perServer.values()].reduce((a, b) => a + b, 0);
  return { perServer, moved, busiestShare: total > 0 ? Math.max(...perServer.values()) / total : 0 };
}

/** e.g. `n1 102.3 msg/s, n2 98.1 msg/s`, for a test's log line. */
export function describeWrites(perServer: ReadonlyMap<string, number>): string {
  return [...perServer].map(([s, r]) => `${s} ${r.toFixed(1)} msg/s`).join(', ');
}
