/**
 * The RunLedger contract, run against every implementation (the memory one
 * in the unit tier, DynamoDB against dynalite in the integration tier) so
 * the handler behaves the same whichever it is given.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_FINDINGS_LIMIT, type RunEntry, type RunLedger, type RunRecord } from '../../lib/state/run-ledger.js';

export interface ListingRunLedger extends RunLedger {
  recentRuns(clusterKey: string, limit: number): Promise<RunEntry[]>;
}

export interface LedgerUnderTest {
  readonly ledger: ListingRunLedger;
  close(): Promise<void>;
}

const LEASE_MS = 60_000;
const T0 = Date.parse('2025-03-01T10:00:00Z');

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    status: 'critical',
    epoch: 7,
    counts: { critical: 1, warning: 0, resolved: 2 },
    notified: 1,
    durationMs: 1_234,
    findings: [{ check: 'meta_leader_disagreement', subject: 'meta:default', severity: 'critical' }],
    ...overrides,
  };
}

export function runLedgerContract(name: string, start: () => Promise<LedgerUnderTest>): void {
  describe(`${name} (RunLedger contract)`, () => {
    let subject: LedgerUnderTest;
    let ledger: ListingRunLedger;
    beforeEach(async () => {
      subject = await start();
      ledger = subject.ledger;
    });
    afterEach(async () => {
      await subject.close();
    });

    it('gives the lease to one owner at a time, and lets the holder renew it', async () => {
      // Act
      const first = await ledger.acquireLease('c1', 'a', T0, LEASE_MS);
      const other = await ledger.acquireLease('c1', 'b', T0 + 1_000, LEASE_MS);
      const renewed = await ledger.acquireLease('c1', 'a', T0 + 2_000, LEASE_MS);
      const otherCluster = await ledger.acquireLease('c2', 'b', T0 + 2_000, LEASE_MS);

      // Assess
      expect([first, other, renewed, otherCluster]).toEqual([true, false, true, true]);
    });

    it('a lease past its expiry is taken over, and the old holder is then refused', async () => {
      // Prepare
      await ledger.acquireLease('c1', 'a', T0, LEASE_MS);

      // Act
      const atExpiry = await ledger.acquireLease('c1', 'b', T0 + LEASE_MS, LEASE_MS);
      const pastExpiry = await ledger.acquireLease('c1', 'b', T0 + LEASE_MS + 1, LEASE_MS);
      const oldHolder = await ledger.acquireLease('c1', 'a', T0 + LEASE_MS + 2, LEASE_MS);

      // Assess
      expect([atExpiry, pastExpiry, oldHolder]).toEqual([false, true, false]);
    });

    it('release by another owner leaves the lease held; release by the holder frees it', async () => {
      // Prepare
      await ledger.acquireLease('c1', 'a', T0, LEASE_MS);

      // Act / Assess
      await ledger.releaseLease('c1', 'b');
      expect(await ledger.acquireLease('c1', 'c', T0 + 1, LEASE_MS)).toBe(false);
      await ledger.releaseLease('c1', 'a');
      expect(await ledger.acquireLease('c1', 'c', T0 + 2, LEASE_MS)).toBe(true);
    });

    it('releasing a lease nobody holds is not an error', async () => {
      // Act / Assess
      await expect(ledger.releaseLease('c1', 'a')).resolves.toBeUndefined();
    });

    it('ten invocations racing for the lease: exactly one gets it', async () => {
      // Act
      const owners = Array.from({ length: 10 }, (_, i) => `invocation-${i}`);
      const results = await Promise.all(owners.map((owner) => ledger.acquireLease('c1', owner, T0, LEASE_MS)));

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('records a run once: the duplicate returns false and leaves the first record', async () => {
      // Prepare
      const time = '2025-03-01T10:00:00Z';

      // Act
      const before = await ledger.hasRun('c1', time);
      const first = await ledger.recordRun('c1', time, runRecord(), T0 + 5_000);
      const duplicate = await ledger.recordRun('c1', time, runRecord({ status: 'failed', error: 'boom' }), T0 + 9_000);

      // Assess
      expect([before, first, duplicate]).toEqual([false, true, false]);
      expect(await ledger.hasRun('c1', time)).toBe(true);
      expect(await ledger.hasRun('c2', time)).toBe(false);
      expect(await ledger.hasRun('c1', '2025-03-01T10:05:00Z')).toBe(false);
      expect(await ledger.recentRuns('c1', 10)).toEqual([{ scheduledTime: '2025-03-01T10:00:00.000Z', recordedAt: T0 + 5_000, record: runRecord() }]);
    });

    it('one scheduled time written two ways is one run', async () => {
      // Prepare
      await ledger.recordRun('c1', '2025-03-01T10:00:00Z', runRecord(), T0);

      // Act / Assess
      expect(await ledger.hasRun('c1', '2025-03-01T10:00:00.000Z')).toBe(true);
      expect(await ledger.recordRun('c1', '2025-03-01T11:00:00.000+01:00', runRecord(), T0)).toBe(false);
    });

    it('refuses a scheduled time that is not a date-time', async () => {
      // Act / Assess
      await expect(ledger.hasRun('c1', 'yesterday')).rejects.toThrow('scheduled time "yesterday" is not an ISO date-time');
    });

    it(`keeps at most ${RUN_FINDINGS_LIMIT} findings per record, with the counts intact`, async () => {
      // Prepare
      const findings = Array.from({ length: 70 }, (_, i) => ({ check: 'uneven_leader_distribution', subject: `stream:S${i}`, severity: 'warning' as const }));
      const record = runRecord({ status: 'warning', counts: { critical: 0, warning: 70, resolved: 0 }, findings });

      // Act
      await ledger.recordRun('c1', '2025-03-01T10:00:00Z', record, T0);

      // Assess
      const [entry] = await ledger.recentRuns('c1', 1);
      expect(entry?.record.findings).toEqual(findings.slice(0, RUN_FINDINGS_LIMIT));
      expect(entry?.record.counts.warning).toBe(70);
    });

    it('lists a cluster’s runs newest first, up to the limit', async () => {
      // Prepare: recorded out of order, one of another cluster.
      for (const hour of ['11', '09', '10', '12']) {
        await ledger.recordRun('c1', `2025-03-01T${hour}:00:00Z`, runRecord({ epoch: Number(hour) }), T0);
      }
      await ledger.recordRun('c2', '2025-03-01T13:00:00Z', runRecord(), T0);

      // Act
      const runs = await ledger.recentRuns('c1', 3);

      // Assess
      expect(runs.map((r) => [r.scheduledTime, r.record.epoch])).toEqual([
        ['2025-03-01T12:00:00.000Z', 12],
        ['2025-03-01T11:00:00.000Z', 11],
        ['2025-03-01T10:00:00.000Z', 10],
      ]);
    });

    it('gives a cluster’s newest run for the watchdog, and nothing for a cluster never run', async () => {
      // Prepare
      for (const hour of ['09', '11', '10']) await ledger.recordRun('c1', `2025-03-01T${hour}:00:00Z`, runRecord({ epoch: Number(hour) }), T0 + Number(hour));
      await ledger.recordRun('c2', '2025-03-01T13:00:00Z', runRecord(), T0);

      // Act
      const last = await ledger.lastRun('c1');
      const never = await ledger.lastRun('c3');

      // Assess
      expect(last).toEqual({ scheduledTime: '2025-03-01T11:00:00.000Z', recordedAt: T0 + 11, record: runRecord({ epoch: 11 }) });
      expect(never).toBeUndefined();
    });
  });
}
