import { createRequire } from 'node:module';
import type { BuildOptions } from 'esbuild';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';

/**
 * Node options the function runs with (its NODE_OPTIONS), and so the ones
 * the cold-start bench (bench/bundle.ts) starts node with.
 *
 * Not `--enable-source-maps`: with it node reads and parses the bundle's
 * whole source map (1.2 MB) on import, about 25 ms of every cold start, to
 * improve stack traces the function's own logs never contain (they carry
 * error messages only). The maps still ship beside the code, so a stack
 * trace from a failed invocation can be mapped back offline.
 */
export const AUDIT_NODE_OPTIONS: readonly string[] = [];

/**
 * Gives the CommonJS dependencies (nats, nkeys.js, tweetnacl), which
 * require() Node built-ins, a `require` in every output file: an ES module
 * has none.
 */
const REQUIRE_BANNER =
  "import { createRequire as __natsAuditCreateRequire } from 'node:module'; const require = __natsAuditCreateRequire(import.meta.url);";

/**
 * How the function's code is built: one ES module, index.mjs, plus the
 * chunks it loads only when needed (chunks/), with the AWS SDK inside so the
 * SDK version that runs is the one the tests ran.
 *
 * Split, not one file, for the cold start: esbuild hoists every built-in a
 * single file imports to its top, so one file would load the SDK's whole
 * credential chain (SSO, INI profiles, credential_process and with it
 * node:child_process) and the SNS client on every start. Split, the Lambda
 * credentials in the environment are found by the first provider and the
 * rest are never read; SNS loads when an epoch has something to publish.
 *
 * Minified, source maps beside the code without the sources' text, Node 20
 * syntax (CI runs the bundle on the Node 24 runtime and on the oldest Node
 * the CLI supports), `module` before `main` so the SDK's ES modules can be
 * tree-shaken.
 */
export function auditBundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  };
}

/**
 * Bundles with esbuild in this process: `NodejsFunction` cannot, as it
 * always hands esbuild a single `--outfile`, which rules out splitting.
 * There is no Docker fallback; esbuild is a dev dependency of the project
 * that synthesizes the app.
 */
export class AuditBundling implements ILocalBundling {
  constructor(private readonly entry: string) {}

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    let esbuild: typeof import('esbuild');
    try {
      // Loaded here, not imported: only a synth that bundles needs it, and dist/lib/infra ships without dev dependencies.
      esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    } catch (error) {
      throw new Error('bundling the audit function needs esbuild: run npm install in the project (it is a dev dependency)', { cause: error });
    }
    esbuild.buildSync(auditBundleOptions(this.entry, outputDir));
    return true;
  }
}
