/**
 * The CLI as a process: signals, exit code, and an exit that waits for the
 * output to be written. Shared by the entry tsc builds (bin/nats-audit.ts)
 * and the one the package ships (bin/nats-audit-bundled.ts).
 */
import type { CommandIo } from './io.js';

export type Main = (argv: readonly string[], io: CommandIo) => Promise<number>;

/**
 * Runs `main` on this process's arguments; `afterOutput` runs with the exit
 * code once stdout and stderr are flushed, just before the exit, where a
 * slow step delays no line the operator waits for.
 */
export async function runProcess(main: Main, afterOutput: (code: number) => void = () => undefined): Promise<void> {
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
  process.stdout.write('', () =>
    process.stderr.write('', () => {
      afterOutput(code);
      process.exit(code);
    }),
  );
}
