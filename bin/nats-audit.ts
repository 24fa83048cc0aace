#!/usr/bin/env node
import { main } from '../lib/cli/main.js';

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
