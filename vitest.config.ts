import { defineConfig } from 'vitest/config';

/**
 * How many integration files run at once. Each starts real nats-server
 * clusters; on a 2-core CI machine more than two at once slows Raft
 * elections enough to blur the timing the checks are judged on.
 * test/run-matrix.mjs sets NATS_AUDIT_INTEGRATION_WORKERS=1 for runs that
 * must go one file at a time: vitest's own --maxWorkers does not reach a
 * project that sets maxWorkers itself, as this one does.
 */
function integrationWorkers(): number {
  const raw = process.env['NATS_AUDIT_INTEGRATION_WORKERS'];
  if (raw === undefined || raw === '') return 2;
  const workers = Number(raw);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`NATS_AUDIT_INTEGRATION_WORKERS must be a whole number of at least 1, not ${JSON.stringify(raw)}`);
  }
  return workers;
}

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // After the fast unit tests, with its own worker limit.
          sequence: { groupOrder: 1 },
          // CLI tests run the built CLI as an operator would: build it once first.
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          maxWorkers: integrationWorkers(),
        },
      },
    ],
  },
});
