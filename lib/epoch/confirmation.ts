/**
 * Confirmation within the epoch: an epoch that sees a condition elections
 * cause (lib/checks/election-signs.ts) samples again after a short delay and
 * judges what is still true then, so an election that ended in between is
 * not reported and a fault that outlasts it is reported as confirmed.
 */
import type { ElectionSign } from '../checks/election-signs.js';
import type { CheckedDraft } from './judge.js';
import { findingKey } from './lifecycle.js';

/** Longest delay accepted: one follower election timeout is at most 9 s (server/raft.go), so waiting longer proves nothing more. */
export const MAX_CONFIRM_DELAY_MS = 9_000;
/** Default: past a typical election (a few seconds), short enough for a one-minute schedule and a Lambda's time. */
export const DEFAULT_CONFIRM_DELAY_MS = 3_000;

/** What the second sample said about each sign of the first; in the report and the details of the findings concerned. */
export interface Confirmation {
  readonly delayMs: number;
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
}

/** The checks whose findings the signs concern, by sign kind. */
const CHECKS_OF: Readonly<Record<ElectionSign['kind'], readonly string[]>> = {
  meta_disagreement: ['meta_leader_disagreement'],
  meta_no_leader: ['meta_no_leader'],
  leader_counts_inconsistent: ['uneven_leader_distribution'],
};

export function compareSigns(first: readonly ElectionSign[], second: readonly ElectionSign[], delayMs: number): Confirmation {
  const key = (s: ElectionSign) => `${s.kind}\u0000${s.subject}`;
  const later = new Set(second.map(key));
  const earlier = new Set(first.map(key));
  return {
    delayMs,
    seen: first,
    confirmed: first.filter((s) => later.has(key(s))),
    cleared: first.filter((s) => !later.has(key(s))),
    appeared: second.filter((s) => !earlier.has(key(s))),
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
