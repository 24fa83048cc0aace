// The second half of `npm run build`: after tsc has emitted dist/, esbuild
// bundles the CLI into one script, dist/bin/cli-script.js, and its small
// entry over dist/bin/nats-audit.js (bin/nats-audit-bundled.ts). A `check`
// started by cron or Nagios then reads two files instead of resolving ~180
// modules (nats' CommonJS files, zod's ESM tree and ours), and, being one
// classic script rather than ES modules, its compiled code can be kept from
// one run to the next after it ran (lib/cli/code-cache.ts), which is where
// a short process spends its time. Commands are still evaluated only when
// they run (esbuild wraps each module imported on demand), so `check` never
// runs the rebalance planner or the demo harness, and the AWS SDK stays
// outside the script, required only by a fleet check. tsc's own dist/lib
// stays beside it: an unbundled dist/bin/nats-audit.js (tsc alone) runs from it unchanged.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// tsc has built it: the first half of `npm run build`.
import { SCRIPT_BANNER, SCRIPT_FOOTER } from '../dist/lib/cli/code-cache.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Smaller text is less to read and hash on every start; the maps let
  // NATS_AUDIT_DEBUG=1 print stack traces in the sources.
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
};

// Earlier builds split the CLI into ES module chunks: none may be left to load by mistake.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });

await build({
  ...common,
  entryPoints: ['lib/cli/main.ts'],
  outfile: join(outdir, 'cli-script.js'),
  format: 'cjs',
  banner: { js: SCRIPT_BANNER },
  footer: { js: SCRIPT_FOOTER },
  external: ['@aws-sdk/*'],
});

await build({
  ...common,
  entryPoints: ['bin/nats-audit-bundled.ts'],
  outfile: join(outdir, 'nats-audit.js'),
  format: 'esm',
});
