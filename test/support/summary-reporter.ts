import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `vitest: N passed, N failed, N skipped`,
 * that CI logs can be read by whatever the runner's own formatting. With
 * NATS_AUDIT_TEST_SUMMARY set, also writes the counts as JSON to that file,
 * for test/run-matrix.mjs to add up its runs.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A file that failed to load, or whose beforeAll failed (its tests then
      // show as skipped), has no failed test to count but must not pass silently.
      if (module.state() === 'failed' && ![...module.children.allTests()].some((t) => t.result().state === 'failed')) counts.failed++;
    }
    // An error outside any test (bad config, a crash between tests) fails the run too.
    counts.failed += unhandledErrors.length;
    process.stdout.write(`\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
    const summaryFile = process.env['NATS_AUDIT_TEST_SUMMARY'];
    if (summaryFile) writeFileSync(summaryFile, JSON.stringify(counts));
  }
}
