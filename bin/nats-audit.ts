#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps compiled code between runs (in the OS temp directory), so
// each cron or Nagios `check` stops re-parsing the same modules. Enabled
// before anything else is imported, which is why main.js is loaded below.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The built CLI is minified (bin/bundle-cli.mjs); the stack trace NATS_AUDIT_DEBUG
// asks for is read through the source maps beside it. Parsing maps costs every
// start, so only then; it covers what is imported from here on.
if (process.env.NATS_AUDIT_DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import('../lib/cli/main.js');

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort());
}

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
});
// Exit explicitly once output is flushed: a socket a library failed to
// release (a server that hung mid-handshake) must not keep the CLI alive.
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
