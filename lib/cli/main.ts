import { defaultRegistry } from '../checks/index.js';
import { AuditUnavailableError, ConfigError } from '../errors.js';
import { EXIT_CODES } from '../report/report.js';
import { ConnectionOptionsError } from '../sampling/connection-options.js';
import { GatherConfigError } from '../sampling/gather.js';
import { SampleFileError } from '../sampling/sample-file.js';
import { StateConflictError } from '../state/state-store.js';
import { checkCommand } from './check-command.js';
import { demoCommand } from './demo-command.js';
import { gatherCommand } from './gather-command.js';
import { rebalanceCommand } from './rebalance-command.js';
import { MAIN_HELP, checkCatalogue, commandHelp } from './help.js';
import type { CommandIo } from './io.js';
import { errorText } from '../util/error-text.js';

const COMMANDS: Record<string, (argv: readonly string[], io: CommandIo) => Promise<number>> = {
  check: checkCommand,
  gather: gatherCommand,
  demo: demoCommand,
  rebalance: rebalanceCommand,
  checks: async (_argv, io) => {
    io.stdout(checkCatalogue(defaultRegistry()));
    return 0;
  },
};

/** Errors whose message is the whole story for the operator: print it, no stack trace. */
const EXPECTED_ERRORS = [ConfigError, AuditUnavailableError, ConnectionOptionsError, GatherConfigError, SampleFileError, StateConflictError];

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
    if (EXPECTED_ERRORS.some((type) => error instanceof type)) {
      io.stderr(`nats-audit ${command}: ${(error as Error).message}\n`);
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
