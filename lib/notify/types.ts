import type { Severity } from '../checks/types.js';
import type { ReportFinding, ReportResolved } from '../epoch/report.js';

/**
 * Why a notification is sent. Only changes are announced, never "still
 * there" every epoch (reminders aside, which are rate-limited by policy).
 */
export const TRANSITIONS = {
  /** First time subscribers hear of this finding. */
  new: 'new',
  /** Seen in enough consecutive epochs to count as persistent. */
  became_persistent: 'became_persistent',
  /** Now critical, after subscribers knew it (or it was filtered out) as a warning. */
  severity_raised: 'severity_raised',
  /** Still open and critical, and the last notice is older than the reminder interval. */
  reminder: 'reminder',
  /** Gone this epoch. */
  resolved: 'resolved',
  /** The auditor acted on a finding itself (automatic leader rebalancing); `actions` says what it did. */
  remediation: 'remediation',
  /** The previous state was unreadable: sent every epoch, since nothing can be compared. */
  persistence_unknown: 'persistence_unknown',
} as const;

export type Transition = keyof typeof TRANSITIONS;

/** What a notification says of each server that answered: names only, never URLs. */
export interface NotifiedServer {
  readonly name: string;
  readonly cluster: string | null;
  readonly version: string;
  /** The meta leader this server reports; null when it knows none. */
  readonly metaLeader: string | null;
}

/** One message to subscribers about one finding of one cluster. */
export interface Notification {
  readonly cluster: string;
  /** Check id, as in the report and `--skip`. */
  readonly check: string;
  /** Finding subject (e.g. `meta:default`, `server:n2`): with `check` it identifies the finding. */
  readonly subject: string;
  /** For `resolved`, the severity the finding last had. */
  readonly severity: Severity;
  readonly transition: Transition;
  readonly summary: string;
  /** The epoch that produced this notice; `id` is null when the audit could not run. */
  readonly epoch: { readonly id: number | null; readonly startedAt: string };
  /** Present for every transition of an open finding. */
  readonly finding?: ReportFinding;
  /** Present for `resolved`. */
  readonly resolved?: ReportResolved;
  /** For `reminder`: when subscribers were last told (ISO 8601). */
  readonly lastNotifiedAt?: string;
  readonly servers: readonly NotifiedServer[];
  /** For `remediation`: each action taken and its outcome, one per line. */
  readonly actions?: readonly string[];
  /** Report notices (e.g. why state was unreadable), so the reader knows what the auditor knew. */
  readonly notices: readonly string[];
}

/** Per-cluster notification settings, already parsed. */
export interface NotifyPolicy {
  /** Remind of a still-open critical finding this long after the last notice; 0 = never. */
  readonly reminderMs: number;
  /** Below this nothing is sent, except the resolution of a finding subscribers were told of. */
  readonly minSeverity: Severity;
}

export const DEFAULT_NOTIFY_POLICY: NotifyPolicy = { reminderMs: 0, minSeverity: 'warning' };

/** Sends notifications somewhere. */
export interface Notifier {
  /**
   * All or error: resolves only when every notification was accepted. On any
   * failure it throws, so the caller does not save state and the next epoch
   * selects the same notifications again (subscribers may then see some twice,
   * never none).
   */
  publish(notifications: readonly Notification[]): Promise<void>;
}
