/**
 * What a plain `check` reads before its first epoch, the way cron and Nagios
 * start it (bin/bundle-cli.mjs): only the bundled CLI's own files, none of
 * the AWS SDK, the rebalance planner, the demo harness or the other commands,
 * and check's code in one chunk rather than a chunk per combination of
 * commands that share it. A closed loopback port: no cluster is needed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local-cluster/index.js';
import { projectRoot } from '../../lib/infra/project-root.js';
import { runCli, useTempDir } from '../support/cli.js';

/** Entry, main, esbuild's helpers, the code main and check share, check-command, check's code, the checks. */
const MAX_FILES = 8;

describe('the files a plain check loads', () => {
  const dir = useTempDir();

  it('are the bundle’s own, without the AWS SDK, the planner, the demo harness or other commands, and few', async () => {
    // Prepare: a module hook that names every file the process loads.
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, "export async function load(url, context, next) { if (url.startsWith('file:')) process.stderr.write(`loaded ${url}\\n`); return next(url, context); }\n");
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const closed = `nats://127.0.0.1:${await freePort()}`;

    // Act
    const result = await runCli(['check', '--servers', closed, '--state', join(dir, 'state.json')], { nodeArgs: ['--import', pathToFileURL(register).href] });

    // Assess
    expect(result.code, result.stderr).toBe(2);
    const bundle = pathToFileURL(join(projectRoot(), 'dist', 'bin')).href;
    const files = [...result.stderr.matchAll(/^loaded (.+)$/gm)].map((m) => m[1]!);
    expect(files).toContain(`${bundle}/nats-audit.js`);
    expect(files.filter((url) => !url.startsWith(`${bundle}/`))).toEqual([]);
    const names = files.map((url) => url.slice(bundle.length + 1));
    expect(names.filter((name) => /(fleet-check|demo-command|rebalance-command|gather-command|bowser|event-streams|html-page|metrics-server)-/.test(name))).toEqual([]);
    expect(names.length, names.join(', ')).toBeLessThanOrEqual(MAX_FILES);
  });
});
