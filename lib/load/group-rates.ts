/**
 * Write and delivery rates per Raft group between two epochs, from the
 * counters the servers report and the servers' own clocks. Pure.
 *
 * - A stream's write rate is the growth of `state.last_seq` (every stored
 *   message takes one sequence; purges and limits do not lower it) over the
 *   time between the two replies, by the reporting servers' own `now`. Its
 *   byte rate is that write rate at the stream's average stored message size
 *   (bytes / messages): the growth of `state.bytes` alone would read a
 *   stream at its size limit, discarding as fast as it stores, as idle.
 * - A consumer's delivery rate is the growth of `delivered.stream_seq`, its
 *   ack rate that of `ack_floor.stream_seq`.
 * - Explicitly not a rate: a group first seen now (`new`), one whose
 *   `created` changed or whose sequence went down (`reset`: recreated, or a
 *   consumer reset), one whose two readings are not at least
 *   {@link MIN_INTERVAL_MS} apart by the servers' clocks (`no_interval`), one
 *   whose reply carried no counters (`no_counters`). Groups remembered but
 *   not seen now are counted as `missing` (deleted, or their server sent no
 *   detail this epoch).
 */
import type { GroupKind, Observation, RaftGroup } from '../observation/types.js';
import { counterId, createdTag, type LoadSnapshot } from './load-snapshot.js';

/** Two readings closer than this (by the servers' clocks) give no rate: JSZ `now` has millisecond resolution at best. */
export const MIN_INTERVAL_MS = 1_000;

export interface GroupRate {
  readonly group: RaftGroup;
  /** Stream: messages written per second; consumer: messages delivered per second. */
  readonly messagesPerSecond: number;
  /** Stream only: bytes written per second (see the file comment). */
  readonly bytesPerSecond?: number;
  /** Consumer only: messages acknowledged per second (ack floor). */
  readonly acksPerSecond?: number;
  readonly intervalMs: number;
}

export type UnratedReason = 'new' | 'reset' | 'no_interval' | 'no_counters';

export interface LoadRates {
  /** The epoch the earlier counters came from. */
  readonly since: number;
  /** Replicated groups with a known leader and a rate. */
  readonly rates: readonly GroupRate[];
  /** Replicated groups with a known leader and no rate, by why. */
  readonly unrated: Readonly<Record<UnratedReason, number>>;
  /** Remembered groups not seen in this sample. */
  readonly missing: number;
  /** Consumer delivery rates, on the epochs that rate consumers (consumer-counters.ts). */
  readonly consumers?: LoadRates | undefined;
}

/**
 * Rates of this observation's replicated, led groups of one kind (as given
 * to `nextSnapshot`, streams by default) against the remembered counters;
 * undefined with nothing remembered. Groups of the other kind are neither
 * rated nor counted as unrated: their counters live elsewhere, and each
 * would otherwise read as `new` on every epoch.
 */
export function groupRates(
  previous: LoadSnapshot | undefined,
  observation: Pick<Observation, 'groups'>,
  options: { readonly kind?: GroupKind } = {},
): LoadRates | undefined {
  const kind = options.kind ?? 'stream';
  if (previous === undefined || previous.entries.size === 0) return undefined;
  const rates: GroupRate[] = [];
  const unrated: Record<UnratedReason, number> = { new: 0, reset: 0, no_interval: 0, no_counters: 0 };
  const seen = new Set<string>();
  for (const group of observation.groups) {
    if (group.leader === undefined || group.replicas.length === 0) continue;
    if (group.kind !== kind) continue;
    const id = counterId(group);
    const before = previous.entries.get(id);
    if (before !== undefined) seen.add(id);
    const now = group.counters;
    if (now === undefined) {
      unrated.no_counters++;
      continue;
    }
    if (before === undefined) {
      unrated.new++;
      continue;
    }
    if (createdTag(now) !== before.created || now.seq < before.seq) {
      unrated.reset++;
      continue;
    }
    const intervalMs = now.at - before.at;
    if (intervalMs < MIN_INTERVAL_MS) {
      unrated.no_interval++;
      continue;
    }
    const perSecond = (delta: number) => (Math.max(0, delta) * 1000) / intervalMs;
    const messagesPerSecond = perSecond(now.seq - before.seq);
    if (group.kind === 'stream') {
      const size = now.messages && now.bytes !== undefined ? now.bytes / now.messages : 0;
      rates.push({ group, messagesPerSecond, bytesPerSecond: messagesPerSecond * size, intervalMs });
    } else {
      rates.push({ group, messagesPerSecond, acksPerSecond: perSecond((now.ackFloor ?? 0) - (before.ackFloor ?? 0)), intervalMs });
    }
  }
  return { since: previous.epoch, rates, unrated, missing: previous.entries.size - seen.size };
}
