// The second half of `npm run build`: after tsc has emitted dist/, esbuild
// bundles the CLI entry over dist/bin/nats-audit.js, so a `check` started by
// cron or Nagios reads a few files instead of resolving ~180 modules (nats'
// CommonJS files, zod's ESM tree and ours) one by one. Commands stay split
// into chunks loaded on demand, so `check` still never reads the AWS SDK, the
// rebalance planner or the demo harness. tsc's own dist/lib stays beside it:
// an unbundled dist/bin/nats-audit.js (tsc alone) runs from it unchanged.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');

// Chunk names carry a content hash: drop the previous build's so none is left to load by mistake.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['bin/nats-audit.ts'],
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Smaller text is less to read and compile on every start; the maps let
  // NATS_AUDIT_DEBUG=1 (bin/nats-audit.ts) print stack traces in the sources.
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // nats and the AWS SDK are CommonJS that `require` node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
