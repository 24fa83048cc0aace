#!/usr/bin/env node
// The CLI the package ships (bin/bundle-cli.mjs builds it over
// dist/bin/nats-audit.js): main comes from one bundled script, cli-script.js,
// compiled with the code an earlier run of the same command left in the
// code cache (lib/cli/code-cache.ts), which is written once output is out.
import { loadCliScript } from '../lib/cli/code-cache.js';
import { EXIT_CODES } from '../lib/epoch/report.js';
import { nodeUrl } from '../lib/cli/node-builtins.js';
import { runProcess, type Main } from '../lib/cli/run-process.js';
import { mapStackTraces } from '../lib/cli/script-stack-traces.js';

const script = nodeUrl.fileURLToPath(new URL('cli-script.js', import.meta.url));
const debug = process.env.NATS_AUDIT_DEBUG ? (line: string): void => void process.stderr.write(`nats-audit: ${line}`) : undefined;
// The bundle is minified: the stack trace NATS_AUDIT_DEBUG asks for is shown in the sources.
if (debug) mapStackTraces(script);
const argv = process.argv.slice(2);
const cli = loadCliScript(script, { command: argv[0], env: process.env, debug });
await runProcess(cli.exports['main'] as Main, (code) => {
  // Only a run that did its command's work leaves its code for the next: `check --help`, or
  // a configuration refused (exit 3), compiles little of it, and later runs would take that.
  if (code !== EXIT_CODES.unknown && !argv.includes('--help') && !argv.includes('-h')) cli.saveCache();
});
