import { compareText } from '../util/compare-text.js';

/** Findings kept per run record: the record is an audit trail, the report holds the full list. */
export const RUN_FINDINGS_LIMIT = 50;

/** What one scheduled run did, as kept in the ledger. */
export interface RunRecord {
  readonly status: 'ok' | 'warning' | 'critical' | 'unknown' | 'failed';
  /** Epoch id, 0 if none ran. */
  readonly epoch: number;
  readonly counts: { readonly critical: number; readonly warning: number; readonly resolved: number };
  /** Notifications published. */
  readonly notified: number;
  readonly durationMs: number;
  /** Capped at RUN_FINDINGS_LIMIT by the ledger; `counts` keeps the totals. */
  readonly findings: readonly { readonly check: string; readonly subject: string; readonly severity: 'warning' | 'critical' }[];
  readonly error?: string;
}

/** A stored run, as `recentRuns` lists them. */
export interface RunEntry {
  /** Normalised to `toISOString()`. */
  readonly scheduledTime: string;
  /** When the record was written (epoch ms). */
  readonly recordedAt: number;
  readonly record: RunRecord;
}

/**
 * What makes duplicate and overlapping Lambda invocations safe: a lease so
 * only one invocation audits a cluster at a time, and a record per scheduled
 * time so a retried or duplicated event does not audit (and notify) twice.
 */
export interface RunLedger {
  /** Takes the cluster's lease for leaseMs; false when another live invocation holds it. A lease past its expiry is taken over. */
  acquireLease(clusterKey: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Gives the lease back if `owner` still holds it (conditional delete; a lost lease is not an error). */
  releaseLease(clusterKey: string, owner: string): Promise<void>;
  /** Whether a run for this scheduled time already completed. */
  hasRun(clusterKey: string, scheduledTime: string): Promise<boolean>;
  /**
   * Records a completed run, kept for the ledger's retention. Returns false
   * if a record for that scheduled time already existed (it is left as it
   * was), true otherwise.
   */
  recordRun(clusterKey: string, scheduledTime: string, record: RunRecord, now: number): Promise<boolean>;
  /** The cluster's newest run record (by scheduled time), or undefined when none is kept: what the watchdog reads. */
  lastRun(clusterKey: string): Promise<RunEntry | undefined>;
}

/** The record as stored: findings beyond RUN_FINDINGS_LIMIT dropped. */
export function capRunRecord(record: RunRecord): RunRecord {
  return record.findings.length > RUN_FINDINGS_LIMIT ? { ...record, findings: record.findings.slice(0, RUN_FINDINGS_LIMIT) } : record;
}

/** Keeps the ledger for the life of the process: for the CLI and handler tests. */
export class MemoryRunLedger implements RunLedger {
  readonly #leases = new Map<string, { owner: string; leaseUntil: number }>();
  /** Per cluster: normalised scheduled time → entry. */
  readonly #runs = new Map<string, Map<string, RunEntry>>();

  async acquireLease(clusterKey: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const held = this.#leases.get(clusterKey);
    if (held && held.owner !== owner && held.leaseUntil >= now) return false;
    this.#leases.set(clusterKey, { owner, leaseUntil: now + leaseMs });
    return true;
  }

  async releaseLease(clusterKey: string, owner: string): Promise<void> {
    if (this.#leases.get(clusterKey)?.owner === owner) this.#leases.delete(clusterKey);
  }

  async hasRun(clusterKey: string, scheduledTime: string): Promise<boolean> {
    const time = normaliseScheduledTime(scheduledTime);
    return this.#runs.get(clusterKey)?.has(time) ?? false;
  }

  async recordRun(clusterKey: string, scheduledTime: string, record: RunRecord, now: number): Promise<boolean> {
    const time = normaliseScheduledTime(scheduledTime);
    const runs = this.#runs.get(clusterKey) ?? new Map<string, RunEntry>();
    this.#runs.set(clusterKey, runs);
    if (runs.has(time)) return false;
    runs.set(time, { scheduledTime: time, recordedAt: now, record: structuredClone(capRunRecord(record)) });
    return true;
  }

  async lastRun(clusterKey: string): Promise<RunEntry | undefined> {
    return (await this.recentRuns(clusterKey, 1))[0];
  }

  /** The cluster's records, newest scheduled time first. */
  async recentRuns(clusterKey: string, limit: number): Promise<RunEntry[]> {
    const runs = [...(this.#runs.get(clusterKey)?.values() ?? [])];
    return runs
      .sort((a, b) => compareText(b.scheduledTime, a.scheduledTime))
      .slice(0, limit)
      .map((entry) => structuredClone(entry));
  }
}

/**
 * One spelling per instant: the scheduled time is an idempotency key, so
 * `…T10:00:00Z` and `…T10:00:00.000Z` (the same EventBridge tick written two
 * ways) must match, and one format keeps stored records sorting by time.
 */
export function normaliseScheduledTime(scheduledTime: string): string {
  const ms = Date.parse(scheduledTime);
  if (Number.isNaN(ms)) throw new RangeError(`scheduled time ${JSON.stringify(scheduledTime)} is not an ISO date-time`);
  return new Date(ms).toISOString();
}
