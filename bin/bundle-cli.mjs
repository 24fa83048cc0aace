// The second half of `npm run build`: after tsc has emitted dist/, esbuild
// bundles the CLI entry over dist/bin/nats-audit.js, so a `check` started by
// cron or Nagios reads a few files instead of resolving ~180 modules (nats'
// CommonJS files, zod's ESM tree and ours) one by one. Commands stay split
// into chunks loaded on demand, so `check` still never reads the AWS SDK, the
// rebalance planner or the demo harness. tsc's own dist/lib stays beside it:
// an unbundled dist/bin/nats-audit.js (tsc alone) runs from it unchanged.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');

// esbuild splits shared code into one chunk per set of entry points (the
// CLI entry and every module imported on demand) that reach it. With each
// command and each of check's on-demand features reaching a different part
// of check's code, `check` loaded 27 files, most of them small, and resolving, reading
// and linking each cost more than its code. So every module loaded on
// demand after (or instead of) check-command is made to import it too: check's
// whole code then has one set of entry points and lands in one chunk (plus
// one for the checks, which `nats-audit checks` reads alone). They run after
// check-command has loaded, or (gather, demo, rebalance) need most of it.
const CHECK_COMMAND = join(root, 'lib', 'cli', 'check-command.ts');
const AFTER_CHECK = [
  'lib/cli/gather-command.ts',
  'lib/cli/demo-command.ts',
  'lib/cli/rebalance-command.ts',
  'lib/cli/expected-errors.ts',
  'lib/cli/html-page.ts',
  'lib/cli/metrics-server.ts',
  'lib/cli/fleet-check.ts',
  'lib/sampling/sample-file.ts',
].map((path) => join(root, path));
/** Imported on demand but kept apart: the checks catalogue and check itself. */
const APART = [CHECK_COMMAND, join(root, 'lib', 'checks', 'index.ts')];

const oneCheckChunk = {
  name: 'one-check-chunk',
  setup(b) {
    b.onResolve({ filter: /./ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.startsWith(join(root, 'lib'))) return undefined;
      const target = join(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (AFTER_CHECK.includes(target) || APART.includes(target)) return undefined;
      return { errors: [{ text: `${relative(root, target)} is imported on demand: list it in AFTER_CHECK (or APART) in bin/bundle-cli.mjs` }] };
    });
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!AFTER_CHECK.includes(args.path)) return undefined;
      // Appended, so the source maps' line numbers stay right; imports are hoisted wherever they stand.
      return { contents: `${await readFile(args.path, 'utf8')}\nimport ${JSON.stringify(CHECK_COMMAND)};\n`, loader: 'ts' };
    });
  },
};

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
  plugins: [oneCheckChunk],
  logLevel: 'warning',
});
