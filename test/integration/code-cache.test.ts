/**
 * The built CLI keeps its compiled code between runs (lib/cli/code-cache.ts):
 * whole processes, as cron starts them, against a closed loopback port (an
 * unreachable cluster: no server is needed to load and run the code).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../lib/epoch/report.js';
import { freePort } from '../../lib/local-cluster/index.js';
import { runCli, useTempDir, type CliResult } from '../support/cli.js';
import { lambdaNode } from '../support/lambda-node.js';

describe('the code cache of the built CLI', () => {
  const dir = useTempDir('nats-audit-code-cache-');
  let runs = 0;

  /** One `check --format json` of a closed port, with the cache under `cacheHome`. */
  async function check(cacheHome: string, env: Record<string, string> = {}, node?: string): Promise<CliResult & { report: Report }> {
    const closed = `nats://127.0.0.1:${await freePort()}`;
    const result = await runCli(['check', '--servers', closed, '--format', 'json', '--cluster', 'closed', '--state', join(dir, `state-${++runs}.json`)], {
      env: { XDG_CACHE_HOME: cacheHome, ...env },
      ...(node === undefined ? {} : { node }),
    });
    expect(result.code, result.stderr).toBe(2);
    return { ...result, report: JSON.parse(result.stdout) as Report };
  }
  const cacheLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('nats-audit: code cache'));
  const files = (cacheHome: string): string[] => readdirSync(join(cacheHome, 'nats-audit', 'code-cache')).sort();

  it('is written by the first check and used by the next, which reports the same', async () => {
    // Prepare
    const home = join(dir, 'first');

    // Act
    const first = await check(home, { NATS_AUDIT_DEBUG: '1' });
    const second = await check(home, { NATS_AUDIT_DEBUG: '1' });

    // Assess
    const [file] = files(home);
    expect(file).toMatch(/^check-[0-9a-f]{32}\.bin$/);
    const path = join(home, 'nats-audit', 'code-cache', file!);
    expect(cacheLines(first.stderr)).toEqual([`nats-audit: code cache ${path}: none yet, written`]);
    expect(cacheLines(second.stderr)).toEqual([`nats-audit: code cache ${path}: used`]);
    const verdict = (r: Report): unknown => ({ status: r.status, findings: r.findings.map((f) => [f.check, f.severity, f.subject]) });
    expect(verdict(second.report)).toEqual(verdict(first.report));
    expect(verdict(first.report)).toMatchObject({ status: 'critical', findings: [['cluster_unreachable', 'critical', expect.anything()]] });
  });

  it('is left only by a run that did its command’s work: not by --help, nor by a refused configuration', async () => {
    // Prepare
    const home = join(dir, 'little-work');

    // Act
    const help = await runCli(['check', '--help'], { env: { XDG_CACHE_HOME: home, NATS_AUDIT_DEBUG: '1' } });
    const refused = await runCli(['check', '--servers', 'not a url at all'], { env: { XDG_CACHE_HOME: home, NATS_AUDIT_DEBUG: '1' } });
    const work = await check(home, { NATS_AUDIT_DEBUG: '1' });

    // Assess
    expect(help.code).toBe(0);
    expect(refused.code).toBe(3);
    expect(cacheLines(help.stderr)).toEqual([]);
    expect(cacheLines(refused.stderr)).toEqual([]);
    expect(cacheLines(work.stderr)).toEqual([expect.stringMatching(/: none yet, written$/)]);
    expect(files(home)).toHaveLength(1);
  });

  it('says nothing of itself unless NATS_AUDIT_DEBUG asks', async () => {
    // Prepare: the first run writes, the second reads.
    const home = join(dir, 'quiet');

    // Act
    const runs = [await check(home), await check(home)];

    // Assess
    for (const run of runs) expect(run.stderr).not.toMatch(/code cache/);
    expect(files(home)).toHaveLength(1);
  });

  it('is written again when V8 refuses it or it was changed, and the run is the same', async () => {
    // Prepare
    const home = join(dir, 'damaged');
    await check(home);
    const path = join(home, 'nats-audit', 'code-cache', files(home)[0]!);
    const written = readFileSync(path);

    // Act: a byte changed after writing, then a file of the right checksum V8 never made.
    const changed = Buffer.from(written);
    changed[changed.length >> 1] = changed[changed.length >> 1]! ^ 0xff;
    writeFileSync(path, changed);
    const afterChange = await check(home, { NATS_AUDIT_DEBUG: '1' });
    const foreign = Buffer.alloc(written.length - 32, 1);
    writeFileSync(path, Buffer.concat([createHash('sha256').update(foreign).digest(), foreign]));
    const afterForeign = await check(home, { NATS_AUDIT_DEBUG: '1' });
    const next = await check(home, { NATS_AUDIT_DEBUG: '1' });

    // Assess
    expect(cacheLines(afterChange.stderr)).toEqual([`nats-audit: code cache ${path}: not used: its checksum does not match its content, written`]);
    expect(cacheLines(afterForeign.stderr)).toEqual([`nats-audit: code cache ${path}: refused by V8, written`]);
    expect(cacheLines(next.stderr)).toEqual([`nats-audit: code cache ${path}: used`]);
    for (const run of [afterChange, afterForeign, next]) expect(run.report.status).toBe('critical');
  });

  it('is kept apart for the Lambda runtime’s Node, so neither takes the other’s', async () => {
    // Prepare
    const home = join(dir, 'runtimes');
    const node24 = lambdaNode();

    // Act
    await check(home);
    const first24 = await check(home, { NATS_AUDIT_DEBUG: '1' }, node24);
    const second24 = await check(home, { NATS_AUDIT_DEBUG: '1' }, node24);
    const again = await check(home, { NATS_AUDIT_DEBUG: '1' });

    // Assess
    expect(files(home)).toHaveLength(2);
    expect(cacheLines(first24.stderr)).toEqual([expect.stringMatching(/: none yet, written$/)]);
    expect(cacheLines(second24.stderr)).toEqual([expect.stringMatching(/: used$/)]);
    expect(cacheLines(again.stderr)).toEqual([expect.stringMatching(/: used$/)]);
    expect(cacheLines(again.stderr)[0]).not.toBe(cacheLines(second24.stderr)[0]);
  });

  it('is off with NATS_AUDIT_CODE_CACHE=off, and a place it cannot write costs nothing but the cache', async () => {
    // Prepare
    const home = join(dir, 'off');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');

    // Act
    const off = await check(home, { NATS_AUDIT_CODE_CACHE: 'off', NATS_AUDIT_DEBUG: '1' });
    const unwritable = await check(home, { NATS_AUDIT_CODE_CACHE: join(file, 'cache') });

    // Assess
    expect(cacheLines(off.stderr)).toEqual(['nats-audit: code cache off: NATS_AUDIT_CODE_CACHE=off']);
    expect(() => files(home)).toThrow(/ENOENT/);
    expect(unwritable.stderr).toBe('');
    expect(unwritable.report.status).toBe('critical');
  });
});
