import { defineConfig } from 'vitest/config';

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
          // Each file starts real nats-server clusters; on a 2-core CI machine
          // more than two at once slows Raft elections enough to blur the
          // timing the checks are judged on.
          maxWorkers: 2,
        },
      },
    ],
  },
});
