/**
 * Confirmation within the epoch: an epoch that sees a condition elections
 * cause (lib/checks/election-signs.ts) samples again after a short delay,
 * and again while a sign of the latest sample has not yet been seen for its
 * settle time (see {@link settleTimeOf}), then judges what is still true, so
 * an election that ended in between is not reported and a fault that
 * outlasts it is reported as confirmed.
 */
import type { ElectionSign } from '../checks/election-signs.js';
import type { CheckedDraft } from './judge.js';
import { findingKey } from './lifecycle.js';

/** Longest delay accepted: one follower election timeout is at most 9 s (server/raft.go), so waiting longer proves nothing more. */
export const MAX_CONFIRM_DELAY_MS = 9_000;
/** Default: past a typical election (a few seconds), short enough for a one-minute schedule and a Lambda's time. */
export const DEFAULT_CONFIRM_DELAY_MS = 3_000;

/**
 * A follower's longest election timeout (server/raft.go: 4 s to 9 s). When a
 * meta leader steps down or is lost (a healed partition's rejoining server
 * brings a higher term; a leader restarts), no server knows a leader until
 * some follower's timer fires: a routine election can leave the group
 * leaderless for about this long, on every version (seen ~8 s on 2.9.10).
 */
export const ELECTION_TIMEOUT_MAX_MS = 9_000;

/** Resamples one epoch takes at most, whatever it sees: at the default delay they span the election timeout. */
export const MAX_RESAMPLES = 4;

/**
 * How long a sign must have been watched, besides being seen in two samples
 * a delay apart, before the epoch judges it: no known meta leader a whole
 * election timeout, which a routine election can last; others nothing more.
 * With no delay asked for, nothing waits.
 */
export function settleTimeOf(sign: Pick<ElectionSign, 'kind'>, delayMs: number): number {
  return delayMs > 0 && sign.kind === 'meta_no_leader' ? ELECTION_TIMEOUT_MAX_MS : 0;
}

/**
 * Which signs have been seen without a break across an epoch's samples, in
 * how many samples and since when. A sign settles once seen in two samples
 * (a delay apart) and watched for its settle time; one that first shows on a
 * resample (a leader that stepped down between two samples) starts its own
 * watch, so one sample is never its own confirmation.
 */
export class SignWatch {
  private readonly seen = new Map<string, { since: number; samples: number }>();
  private latest: readonly ElectionSign[] = [];

  constructor(first: readonly ElectionSign[], at: number) {
    this.observe(first, at);
  }

  observe(signs: readonly ElectionSign[], at: number): void {
    const present = new Set(signs.map(signKey));
    for (const key of this.seen.keys()) if (!present.has(key)) this.seen.delete(key);
    for (const key of present) {
      const entry = this.seen.get(key);
      this.seen.set(key, entry ? { since: entry.since, samples: entry.samples + 1 } : { since: at, samples: 1 });
    }
    this.latest = signs;
  }

  /** Signs of the latest sample not yet settled at `at`. */
  unsettled(at: number, delayMs: number): ElectionSign[] {
    return this.latest.filter((s) => {
      const { since, samples } = this.seen.get(signKey(s))!;
      return samples < 2 || at - since < settleTimeOf(s, delayMs);
    });
  }
}

function signKey(s: Pick<ElectionSign, 'kind' | 'subject'>): string {
  return `${s.kind}\u0000${s.subject}`;
}

/** What the last sample said about each sign of the first; in the report and the details of the findings concerned. */
export interface Confirmation {
  readonly delayMs: number;
  /** Samples taken after the first (1 to {@link MAX_RESAMPLES}; 0 when the first resample failed or did not fit the time left). */
  readonly resamples: number;
  /** Every sign the first sample showed, the reason for sampling again. */
  readonly seen: readonly ElectionSign[];
  /** Signs of the first sample still seen in the second. */
  readonly confirmed: readonly ElectionSign[];
  /** Signs of the first sample gone by the second: an election that ended. */
  readonly cleared: readonly ElectionSign[];
  /** Signs only the second sample shows. */
  readonly appeared: readonly ElectionSign[];
  /** Set when the second sample could not be taken: the first is judged alone. */
  readonly resampleError?: string;
  /** Set when signs were still unsettled but no time was left for another sample (the caller's budget): the last sample taken is judged. */
  readonly outOfTime?: true;
}

/** The checks whose findings the signs concern, by sign kind. */
const CHECKS_OF: Readonly<Record<ElectionSign['kind'], readonly string[]>> = {
  meta_disagreement: ['meta_leader_disagreement'],
  meta_no_leader: ['meta_no_leader'],
  leader_counts_inconsistent: ['uneven_leader_distribution'],
};

export function compareSigns(first: readonly ElectionSign[], last: readonly ElectionSign[], delayMs: number, resamples = 1): Confirmation {
  const later = new Set(last.map(signKey));
  const earlier = new Set(first.map(signKey));
  return {
    delayMs,
    resamples,
    seen: first,
    confirmed: first.filter((s) => later.has(signKey(s))),
    cleared: first.filter((s) => !later.has(signKey(s))),
    appeared: last.filter((s) => !earlier.has(signKey(s))),
  };
}

/**
 * The drafts an epoch decides on: the second sample's, plus any critical
 * draft of the first that the second has no critical for. Those are the
 * declared first-sight exceptions (judge lowered every other critical): two
 * servers claiming leadership at once was real even if one gave up its
 * claim before the second sample. Each draft a sign concerns carries
 * `details.confirmation`.
 */
export function confirmedDrafts(first: readonly CheckedDraft[], second: readonly CheckedDraft[], confirmation: Confirmation): CheckedDraft[] {
  const criticalLater = new Set(second.filter((d) => d.severity === 'critical').map((d) => findingKey(d.check, d.subject)));
  const secondKeys = new Map(second.map((d, i) => [findingKey(d.check, d.subject), i] as const));
  const out = [...second];
  for (const d of first) {
    if (d.severity !== 'critical') continue;
    const key = findingKey(d.check, d.subject);
    if (criticalLater.has(key)) continue;
    const at = secondKeys.get(key);
    if (at === undefined) out.push(d);
    else out[at] = d;
  }
  return out.map((d) => withConfirmation(d, confirmation));
}

function withConfirmation(draft: CheckedDraft, confirmation: Confirmation): CheckedDraft {
  const concerns = (s: ElectionSign) => s.subject === draft.subject && CHECKS_OF[s.kind].includes(draft.check);
  const confirmed = confirmation.confirmed.filter(concerns);
  const appeared = confirmation.appeared.filter(concerns);
  const cleared = confirmation.cleared.filter(concerns);
  if (confirmed.length + appeared.length + cleared.length === 0) return draft;
  const outcome = confirmed.length > 0 ? 'confirmed' : appeared.length > 0 ? 'appeared_on_resample' : 'cleared_on_resample';
  return {
    ...draft,
    details: {
      ...draft.details,
      confirmation: {
        outcome,
        delayMs: confirmation.delayMs,
        signs: [...confirmed, ...appeared, ...cleared].map((s) => s.summary),
      },
    },
  };
}
