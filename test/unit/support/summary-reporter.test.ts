import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../support/summary-reporter.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const FIXTURE_CONFIG = join(ROOT, 'test/unit/fixtures/summary-reporter/vitest.config.ts');

describe('the summary reporter, on a run that passes, fails, skips and fails in a hook', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'summary-reporter-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const summaryFile = join(scratch, 'summary.json');
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', FIXTURE_CONFIG], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NATS_AUDIT_TEST_SUMMARY: summaryFile, CI: 'true' },
    timeout: 60_000,
  });

  it('exits non-zero', () => {
    expect(run.status).not.toBe(0);
  });

  it('writes the counts and names the failed test with the first line of its error', () => {
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    expect(summary).toEqual({
      passed: 1,
      failed: 2,
      skipped: 2,
      failures: expect.arrayContaining([
        {
          file: 'test/unit/fixtures/summary-reporter/mixed.fixture.ts',
          test: 'fails with a two-line message',
          error: 'Error: the first line names the cause',
        },
      ]),
    });
  });

  it('names a file whose beforeAll failed, with that error\'s first line', () => {
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    expect(summary.failures).toContainEqual({
      file: 'test/unit/fixtures/summary-reporter/hook.fixture.ts',
      test: '(the file itself: load or hooks)',
      error: 'Error: the cluster did not settle',
    });
  });

  it('prints the failure under its closing count line, where a log tail shows it', () => {
    const tail = run.stdout.slice(run.stdout.indexOf('vitest: '));
    expect(tail).toContain('vitest: 1 passed, 2 failed, 2 skipped');
    expect(tail).toContain('failed: test/unit/fixtures/summary-reporter/mixed.fixture.ts > fails with a two-line message');
    expect(tail).toContain('Error: the first line names the cause');
    expect(tail).not.toContain('the second line is detail');
  });
});
