/**
 * The group counters one epoch leaves for the next, so the next can turn
 * them into rates (group-rates.ts). It lives in the cluster's state item, so
 * it must stay small: a DynamoDB item is at most 400 KB and is billed a
 * write unit per started KB on every epoch.
 *
 * Encoding (measured in BENCHMARKS.md, "load state"): columns, not one
 * object per group. A group is named by 5 bytes of the SHA-1 of its key plus
 * one byte of the SHA-1 of its `created` time (6 bytes, 8 base64 characters
 * in `k`), not by its account, stream and consumer names, which can be long;
 * 40 bits make a collision among 20k groups a one-in-five-thousand event, and
 * colliding groups are left out (they read as new, so never a wrong rate).
 * One byte of `created` tells a recreated group from the same one in 255
 * of 256 cases, and a recreated group whose sequence is still below the old
 * one reads as reset anyway. Sequences are decimal numbers (`s`), consumers'
 * ack floors as their distance below the delivered sequence (`a`, mostly 0,
 * which compresses to almost nothing). Entries are grouped by the reporting
 * server's clock reading (`at`: [epoch ms, entries] runs), so a time costs
 * nothing per group.
 */
import * as crypto from 'node:crypto';
import * as z from 'zod';
import { isArrayOf, isCount, isNumber, isObject, readPlainFirst } from '../util/plain-tests.js';
import { groupKey } from '../domain/group-key.js';
import type { GroupCounters, GroupKind, Observation, RaftGroup } from '../observation/types.js';

/** One group's counters as remembered. */
export interface CounterEntry {
  /** The reporting server's clock when it sent them, epoch ms. */
  readonly at: number;
  /** One byte of the hash of `created` (0 also when the reply had none). */
  readonly created: number;
  readonly seq: number;
  /** Consumers: the ack floor's stream sequence (streams: undefined when fresh, `seq` once decoded; never read). */
  readonly ackFloor?: number;
}

export interface LoadSnapshot {
  /** The last epoch in which every server sent its counters (0: none yet). */
  readonly epoch: number;
  /** By {@link counterId}. */
  readonly entries: ReadonlyMap<string, CounterEntry>;
}

/**
 * Counters not refreshed for this long are dropped: a rate over hours says
 * nothing about where the load is now, and a group that vanished while its
 * server sent no detail must not be remembered forever.
 */
export const MAX_COUNTER_AGE_MS = 60 * 60 * 1000;

const KEY_BYTES = 5;
/** Key bytes plus the created byte: a multiple of 3, so each entry is exactly 8 base64 characters. */
const ENTRY_BYTES = KEY_BYTES + 1;
const ENTRY_CHARS = (ENTRY_BYTES / 3) * 4;

/** A snapshot as stored: columns (see the top of this file). */
export interface EncodedLoadSnapshot {
  readonly v: 1;
  readonly epoch: number;
  /** [reporter clock in epoch ms, how many of the following entries it sent]. */
  readonly at: [number, number][];
  readonly k: string;
  readonly s: number[];
  readonly a: number[];
}

const BASE64 = /^[A-Za-z0-9+/]*$/;

function columnsAgree(v: Pick<EncodedLoadSnapshot, 'k' | 's' | 'a'>): boolean {
  return v.k.length === v.s.length * ENTRY_CHARS && v.a.length === v.s.length;
}

function runsCoverEntries(v: Pick<EncodedLoadSnapshot, 'at' | 's'>): boolean {
  return v.at.reduce((n, [, count]) => n + count, 0) === v.s.length;
}

/** Built on first use: {@link validEncodedSnapshot} reads a valid snapshot without it. */
export const loadSnapshotSchema: z.ZodType<EncodedLoadSnapshot, unknown> = z.lazy(() =>
  z
    .object({
      v: z.literal(1),
      epoch: z.number().int().min(0),
      at: z.array(z.tuple([z.number().finite(), z.number().int().min(0)])),
      k: z.string().regex(BASE64),
      s: z.array(z.number().min(0)),
      a: z.array(z.number().min(0)),
    })
    .refine(columnsAgree, { message: 'columns of different lengths' })
    .refine(runsCoverEntries, { message: 'clock runs do not cover the entries' }),
);

const isClockRun = (value: unknown): boolean => Array.isArray(value) && value.length === 2 && isNumber(value[0]) && isCount(value[1]);
const isSequence = (value: unknown): boolean => isNumber(value) && value >= 0;

/**
 * {@link loadSnapshotSchema}'s result by plain tests (lib/util/plain-tests.ts),
 * or undefined, and the schema then decides and words the issue. A property
 * test holds the two to one verdict.
 */
export function validEncodedSnapshot(raw: unknown): EncodedLoadSnapshot | undefined {
  if (!isObject(raw)) return undefined;
  const { v, epoch, at, k, s, a } = raw;
  if (v !== 1 || !isCount(epoch) || !isArrayOf(at, isClockRun) || typeof k !== 'string' || !BASE64.test(k)) return undefined;
  if (!isArrayOf(s, isSequence) || !isArrayOf(a, isSequence)) return undefined;
  const snapshot = { v, epoch, at, k, s, a } as EncodedLoadSnapshot;
  return columnsAgree(snapshot) && runsCoverEntries(snapshot) ? snapshot : undefined;
}

/** A remembered snapshot read at a boundary (a state file, a DynamoDB item): valid, or why not. */
export function readEncodedSnapshot(raw: unknown): z.ZodSafeParseResult<EncodedLoadSnapshot> {
  return readPlainFirst(raw, validEncodedSnapshot, loadSnapshotSchema);
}

// One-shot hashing (Node 20.12+) digests a short text several times faster
// than a Hash object, and this runs for every group on every epoch.
const hashOnce = (crypto as { hash?: typeof crypto.hash }).hash;

function digest(text: string): Buffer {
  return hashOnce ? Buffer.from(hashOnce('sha1', text, 'hex'), 'hex') : crypto.createHash('sha1').update(text).digest();
}

// An epoch names each group twice, once for its rate and once for the next
// snapshot, and hashing is most of that work: each group object and each
// counters object is hashed once. Weak, so an observation's groups go with it.
const idOfGroup = new WeakMap<object, string>();
const tagOfCounters = new WeakMap<object, number>();

/** The remembered name of a group: 5 bytes of its key's hash, in base64. */
export function counterId(group: Pick<RaftGroup, 'account' | 'stream' | 'consumer'>): string {
  let id = idOfGroup.get(group);
  if (id === undefined) {
    id = digest(groupKey(group)).subarray(0, KEY_BYTES).toString('base64');
    idOfGroup.set(group, id);
  }
  return id;
}

/** One byte standing for a `created` time; 0 for none (one tag of 256 then stands for both, which only weakens the reset test for such groups). */
export function createdTag(counters: Pick<GroupCounters, 'created'>): number {
  let tag = tagOfCounters.get(counters);
  if (tag === undefined) {
    tag = counters.created === undefined ? 0 : digest(counters.created)[0]!;
    tagOfCounters.set(counters, tag);
  }
  return tag;
}

/**
 * The counters of one kind of group to remember after this epoch: every
 * replicated group of that kind whose counters arrived now, plus, when not
 * every server sent detail (2.11.11+ asks only some), the previous counters
 * of groups not seen now, up to {@link MAX_COUNTER_AGE_MS} old. Groups whose
 * ids collide are left out.
 *
 * Streams and consumers are remembered apart (`kind`, streams by default):
 * stream counters ride in the state item, written every epoch, because write
 * load is what is judged and balanced; consumers are most of a cluster's
 * groups (three a stream in the bench) and so most of the bytes, and are
 * kept in an item of their own written only every few epochs
 * (consumer-counters.ts).
 */
export function nextSnapshot(
  previous: LoadSnapshot | undefined,
  observation: Pick<Observation, 'groups' | 'servers'>,
  epoch: number,
  options: { readonly kind?: GroupKind } = {},
): LoadSnapshot {
  const kind = options.kind ?? 'stream';
  const fresh = new Map<string, CounterEntry>();
  const collided = new Set<string>();
  let newest = 0;
  for (const g of observation.groups) {
    if (g.counters === undefined || g.replicas.length === 0 || g.kind !== kind) continue;
    const id = counterId(g);
    if (fresh.has(id)) collided.add(id);
    const { at, seq, ackFloor } = g.counters;
    newest = Math.max(newest, at);
    fresh.set(id, { at, seq, created: createdTag(g.counters), ...(ackFloor === undefined ? {} : { ackFloor }) });
  }
  for (const id of collided) fresh.delete(id);
  const everyServerDetailed = everyServerSentDetail(observation);
  if (previous && !everyServerDetailed) {
    const oldest = (newest || Math.max(0, ...[...previous.entries.values()].map((e) => e.at))) - MAX_COUNTER_AGE_MS;
    for (const [id, entry] of previous.entries) {
      if (!fresh.has(id) && !collided.has(id) && entry.at >= oldest) fresh.set(id, entry);
    }
  }
  // Only a full refresh dates the counters: a hot server's detail alone (2.11.11+ asks it every
  // epoch) must not put off the next epoch that asks every server (detail-cadence.ts).
  return { epoch: everyServerDetailed && fresh.size > 0 ? epoch : (previous?.epoch ?? 0), entries: fresh };
}

/** Whether every JetStream server of the sample sent stream detail, so every group's counters are fresh. */
export function everyServerSentDetail(observation: Pick<Observation, 'servers'>): boolean {
  return observation.servers.filter((s) => s.jetstream).every((s) => s.detailed === true);
}

export function encodeSnapshot(snapshot: LoadSnapshot): EncodedLoadSnapshot {
  const byTime = [...snapshot.entries].sort(([, a], [, b]) => a.at - b.at);
  const at: [number, number][] = [];
  const keys = Buffer.alloc(byTime.length * ENTRY_BYTES);
  const s: number[] = [];
  const a: number[] = [];
  byTime.forEach(([id, entry], i) => {
    const last = at[at.length - 1];
    if (last && last[0] === entry.at) last[1]++;
    else at.push([entry.at, 1]);
    Buffer.from(id, 'base64').copy(keys, i * ENTRY_BYTES);
    keys[i * ENTRY_BYTES + KEY_BYTES] = entry.created;
    s.push(entry.seq);
    a.push(entry.ackFloor === undefined ? 0 : Math.max(0, entry.seq - entry.ackFloor));
  });
  return { v: 1, epoch: snapshot.epoch, at, k: keys.toString('base64'), s, a };
}

export function decodeSnapshot(encoded: EncodedLoadSnapshot): LoadSnapshot {
  const keys = Buffer.from(encoded.k, 'base64');
  const entries = new Map<string, CounterEntry>();
  let i = 0;
  for (const [at, count] of encoded.at) {
    for (let n = 0; n < count; n++, i++) {
      const id = keys.subarray(i * ENTRY_BYTES, i * ENTRY_BYTES + KEY_BYTES).toString('base64');
      const seq = encoded.s[i]!;
      // Streams store 0 here too: their ack floor is never read.
      entries.set(id, { at, created: keys[i * ENTRY_BYTES + KEY_BYTES]!, seq, ackFloor: seq - encoded.a[i]! });
    }
  }
  return { epoch: encoded.epoch, entries };
}
