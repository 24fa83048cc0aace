import { defineConfig } from 'vitest/config';

// Integration tests start real nats-server clusters; on a 2-core CI machine
// running more than two files at once makes Raft elections slow enough to
// blur the timing the checks are judged on.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
