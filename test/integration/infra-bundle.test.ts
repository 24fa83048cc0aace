import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { readFleetFile } from '../../lib/fleet/read-fleet-file.js';
import { addNatsAuditStacks, STACK_IDS } from '../../lib/infra/nats-audit-app.js';
import { projectRoot } from '../../lib/infra/project-root.js';

const ROOT = projectRoot();
const BUNDLED_STACK = STACK_IDS.environment('search-prod');

/**
 * Size the minified handler may reach, all its files together. zod's
 * classic API (~450 KB minified,
 * not tree-shakeable), nats (~220 KB) and the three SDK clients (~350 KB)
 * already come to ~1.15 MB; the budget is there to catch an accident, such
 * as aws-cdk-lib or a second copy of the SDK finding its way into the bundle.
 */
const BUNDLE_BUDGET_BYTES = 1_500_000;

/** Real esbuild bundling of one environment's function, as `cdk synth` does it. */
describe('the audit function bundle', () => {
  let outdir: string;
  let assetDir: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'nats-audit-cdk-'));
    const { context } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [BUNDLED_STACK] } });
    const { environments } = addNatsAuditStacks(app, readFleetFile(join(ROOT, 'config/fleet.example.json'), defaultRegistry()));
    app.synth();
    const fn = Object.values(Template.fromStack(environments.get('search-prod')!).findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Code: { S3Key: string } };
    };
    assetDir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  }, 120_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('is a minified ES module and the chunks it loads, each with its source map, within budget', () => {
    // Prepare
    const code = codeFiles(assetDir);

    // Assess
    expect(code).toContain('index.mjs');
    for (const file of code) expect(existsSync(join(assetDir, `${file}.map`)), `${file}.map`).toBe(true);
    expect(code.reduce((total, file) => total + statSync(join(assetDir, file)).size, 0)).toBeLessThan(BUNDLE_BUDGET_BYTES);
    // Minified: long lines, not one per statement (template literals keep their own line breaks).
    const text = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(text.length / text.split('\n').length).toBeGreaterThan(1_000);
  });

  it('leaves the SNS client and the SDK credential chain past the environment out of a cold start', () => {
    // Act
    const startup = staticImports(assetDir, 'index.mjs');
    const text = startup.map((file) => readFileSync(join(assetDir, file), 'utf8')).join('\n');

    // Assess: still in the asset, for when an epoch publishes or credentials come from elsewhere.
    expect(startup.length).toBeLessThan(codeFiles(assetDir).length);
    expect(text).not.toContain('PublishBatch');
    expect(text).not.toContain('node:child_process');
    expect(codeFiles(assetDir).some((file) => readFileSync(join(assetDir, file), 'utf8').includes('PublishBatch'))).toBe(true);
  });

  it('loads as an ES module under node and exports handler', () => {
    // Act: imported from an ES module, as Lambda's runtime does, where no global require exists.
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(join(assetDir, 'index.mjs')).href)}); console.log(typeof m.handler);`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );

    // Assess
    expect(out.trim()).toBe('function');
  });
});

/** The asset's JavaScript files, relative to it: index.mjs and chunks/*.mjs. */
function codeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
}

/** `file` and every file it imports statically, transitively: what importing it reads. `import("...")` is not followed. */
function staticImports(dir: string, file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [...seen];
  seen.add(file);
  const text = readFileSync(join(dir, file), 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+\.mjs)"/g)) staticImports(dir, normalize(join(dirname(file), m[1]!)), seen);
  return [...seen];
}
