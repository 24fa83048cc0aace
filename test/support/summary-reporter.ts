import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/** One failure as the closing summary names it: where, and the first line of why. */
export interface Failure {
  readonly file: string;
  readonly test: string;
  readonly error: string;
}

/** What NATS_AUDIT_TEST_SUMMARY receives: the counts, and each failure named. */
export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: readonly Failure[];
}

// Long enough for an assertion's expected/actual, short enough to stay one line in a CI log.
const ERROR_CHARS = 300;

function firstLine(errors: ReadonlyArray<{ message?: string; name?: string }> | undefined): string {
  const error = errors?.[0];
  if (!error) return 'no error recorded';
  const line = (error.message ?? '').split('\n').find((l) => l.trim().length > 0)?.trim() ?? '';
  const text = `${error.name ?? 'Error'}: ${line}`;
  return text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS - 1)}…` : text;
}

/**
 * Prints one plain closing line, `vitest: N passed, N failed, N skipped`,
 * that CI logs can be read by whatever the runner's own formatting, and then
 * each failed test by file and name with its error's first line: a CI log is
 * often seen only by its tail, and a failure unnamed there is a failure lost.
 * With NATS_AUDIT_TEST_SUMMARY set, also writes the same as JSON to that
 * file, for test/run-matrix.mjs to add up its runs.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let skipped = 0;
    const failures: Failure[] = [];
    for (const module of testModules) {
      const file = relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failures.push({ file, test: test.fullName, error: firstLine(result.errors) });
        else skipped++;
      }
      // A file that failed to load, or whose beforeAll failed (its tests then
      // show as skipped), has no failed test to count but must not pass silently.
      // A beforeAll's error sits on its suite, not on the module.
      if (module.state() === 'failed' && !failures.some((f) => f.file === file)) {
        const errors = [...module.errors(), ...[...module.children.allSuites()].flatMap((suite) => suite.errors())];
        failures.push({ file, test: '(the file itself: load or hooks)', error: firstLine(errors) });
      }
    }
    // An error outside any test (bad config, a crash between tests) fails the run too.
    for (const error of unhandledErrors) failures.push({ file: '(none)', test: '(unhandled error)', error: firstLine([error]) });
    const summary: Summary = { passed, failed: failures.length, skipped, failures };
    process.stdout.write(`\nvitest: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
    for (const f of failures) process.stdout.write(`  failed: ${f.file} > ${f.test}\n          ${f.error}\n`);
    const summaryFile = process.env['NATS_AUDIT_TEST_SUMMARY'];
    if (summaryFile) writeFileSync(summaryFile, JSON.stringify(summary));
  }
}
