import { describe, expect, it } from 'vitest';
import { MemoryRunLedger } from '../../lib/state/run-ledger.js';
import { runLedgerContract, runRecord } from '../support/run-ledger-contract.js';

runLedgerContract('MemoryRunLedger', async () => ({ ledger: new MemoryRunLedger(), close: async () => undefined }));

describe('MemoryRunLedger', () => {
  it('hands out copies, so a caller editing a listed record cannot change the ledger', async () => {
    // Prepare
    const ledger = new MemoryRunLedger();
    await ledger.recordRun('c1', '2025-03-01T10:00:00Z', runRecord(), 0);

    // Act
    const [entry] = await ledger.recentRuns('c1', 1);
    (entry?.record.counts as { critical: number }).critical = 99;

    // Assess
    expect((await ledger.recentRuns('c1', 1))[0]?.record.counts.critical).toBe(1);
  });
});
