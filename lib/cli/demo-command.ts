import { DEMO_SPECS } from '../config/option-specs.js';
import { readOptions, rules, validate } from '../config/read-options.js';
import { runDemo } from '../demo/demo.js';
import { findNatsServer, NatsServerMissingError } from '../local-cluster/index.js';
import { EXIT_CODES, type Report } from '../epoch/report.js';
import { formatText } from '../report/text-report.js';
import type { CommandIo } from './io.js';

/** `nats-audit demo`: the whole story on a throwaway local cluster. Exits 0 once it has run (3 without nats-server). */
export async function demoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const given = readOptions(DEMO_SPECS, argv, io.env);
  const streams = validate(given.streams, rules.positiveInt('streams')) ?? 9;
  const format = validate(given.format, rules.format) ?? 'text';
  const serverBinary = findNatsServer();
  if (!serverBinary) {
    io.stderr(`nats-audit demo: ${new NatsServerMissingError('it is not on PATH').message}\n`);
    return EXIT_CODES.unknown;
  }
  const seen: Report[] = await runDemo({
    streams,
    serverBinary,
    signal: io.signal,
    onProgress: (message) => io.stderr(`>> ${message}\n`),
    onEpoch: (step, report) => {
      if (format === 'json') io.stdout(`${JSON.stringify({ step, report })}\n`);
      else io.stdout(`\n=== ${step}\n${formatText(report)}`);
    },
  });
  io.stderr(`>> demo finished: ${seen.length} epochs; statuses ${seen.map((r) => r.status).join(' -> ')}\n`);
  return 0;
}
