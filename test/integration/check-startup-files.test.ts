/**
 * What a plain `check` loads, the way cron and Nagios start it
 * (bin/bundle-cli.mjs): the entry and the one bundled script beside it,
 * no module of any package (the AWS SDK stays outside the script, for
 * fleet checks only). A closed loopback port: no cluster is needed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local-cluster/index.js';
import { projectRoot } from '../../lib/infra/project-root.js';
import { runCli, useTempDir } from '../support/cli.js';

describe('the files a plain check loads', () => {
  const dir = useTempDir();

  it('are the entry and the bundled script: no package module, so not the AWS SDK', async () => {
    // Prepare: hooks that name every ES module the process loads, every
    // CommonJS module it requires and every file it reads whole.
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, "export async function load(url, context, next) { if (url.startsWith('file:')) process.stderr.write(`loaded ${url}\\n`); return next(url, context); }\n");
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const preload = join(dir, 'preload.cjs');
    writeFileSync(
      preload,
      [
        "const Module = require('node:module');",
        "const fs = require('node:fs');",
        'const load = Module._load;',
        "Module._load = function (request, ...rest) { if (!Module.isBuiltin(request)) process.stderr.write(`required ${request}\\n`); return load.call(this, request, ...rest); };",
        'const readFileSync = fs.readFileSync;',
        "fs.readFileSync = function (path, ...rest) { if (typeof path === 'string') process.stderr.write(`read ${path}\\n`); return readFileSync.call(this, path, ...rest); };",
        'Module.syncBuiltinESMExports();',
        '',
      ].join('\n'),
    );
    const closed = `nats://127.0.0.1:${await freePort()}`;

    // Act
    const result = await runCli(['check', '--servers', closed, '--state', join(dir, 'state.json')], {
      nodeArgs: ['--require', preload, '--import', pathToFileURL(register).href],
      env: { NATS_AUDIT_CODE_CACHE: 'off' },
    });

    // Assess
    expect(result.code, result.stderr).toBe(2);
    const bin = join(projectRoot(), 'dist', 'bin');
    const modules = [...result.stderr.matchAll(/^loaded (.+)$/gm)].map((m) => m[1]!);
    expect(modules).toEqual([pathToFileURL(join(bin, 'nats-audit.js')).href]);
    expect([...result.stderr.matchAll(/^required (.+)$/gm)].map((m) => m[1]!)).toEqual([]);
    const read = [...result.stderr.matchAll(/^read (.+)$/gm)].map((m) => m[1]!);
    expect(read.filter((path) => path.startsWith(projectRoot()))).toEqual([join(bin, 'cli-script.js')]);
  });

  it('is a script vm.Script can run: no dynamic import, no import.meta', () => {
    // vm.Script is given no loader for import() (it would throw at the call), and a classic script has no import.meta.
    const script = readFileSync(join(projectRoot(), 'dist', 'bin', 'cli-script.js'), 'utf8');
    expect(script.match(/\bimport\s*\(|\bimport\.meta\b/g) ?? []).toEqual([]);
  });

  it('leaves the AWS SDK outside the script, required by name where a fleet check needs it', () => {
    const script = readFileSync(join(projectRoot(), 'dist', 'bin', 'cli-script.js'), 'utf8');
    expect(script).toContain('require("@aws-sdk/client-secrets-manager")');
    // Bundled, the client would bring its signing name and the SDK's Smithy runtime along.
    expect(script).not.toMatch(/defaultSigningName:"secretsmanager"|smithy/);
  });
});
