import { EXIT_CODES } from '../epoch/report.js';
import { MAIN_HELP, checkCatalogue, commandHelp } from './help.js';
import type { CommandIo } from './io.js';
import { errorText } from '../util/error-text.js';

/**
 * Each command's code is imported when that command runs, not at start: cron
 * and Nagios start a whole process per `check`, which should not pay for the
 * rebalance planner, the demo harness or the AWS SDK it never uses.
 */
const COMMANDS: Record<string, (argv: readonly string[], io: CommandIo) => Promise<number>> = {
  check: async (argv, io) => (await import('./check-command.js')).checkCommand(argv, io),
  gather: async (argv, io) => (await import('./gather-command.js')).gatherCommand(argv, io),
  demo: async (argv, io) => (await import('./demo-command.js')).demoCommand(argv, io),
  rebalance: async (argv, io) => (await import('./rebalance-command.js')).rebalanceCommand(argv, io),
  checks: async (_argv, io) => {
    const { defaultRegistry } = await import('../checks/index.js');
    io.stdout(checkCatalogue(defaultRegistry()));
    return 0;
  },
};

/** Runs the CLI and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    io.stdout((topic && commandHelp(topic)) || MAIN_HELP);
    return command === undefined ? EXIT_CODES.unknown : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`nats-audit: unknown command ${JSON.stringify(command)}\n\n${MAIN_HELP}`);
    return EXIT_CODES.unknown;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(command) ?? MAIN_HELP);
    return 0;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    const { isExpectedError } = await import('./expected-errors.js');
    if (isExpectedError(error)) {
      io.stderr(`nats-audit ${command}: ${error.message}\n`);
    } else {
      // Unexpected: still no stack trace for the operator, but enough to file a bug.
      const name = error instanceof Error ? error.name : 'Error';
      const message = errorText(error);
      io.stderr(`nats-audit ${command}: unexpected ${name}: ${message}\n(set NATS_AUDIT_DEBUG=1 to see the stack trace)\n`);
      if (io.env.NATS_AUDIT_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    }
    return EXIT_CODES.unknown;
  }
}
