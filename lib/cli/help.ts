import type { CheckRegistry } from '../checks/registry.js';
import type { CheckDefinition } from '../checks/types.js';
import { CHECK_SPECS, DEMO_SPECS, GATHER_SPECS, REBALANCE_SPECS, type OptionSpec } from '../config/option-specs.js';

export const MAIN_HELP = `nats-audit: audit a NATS JetStream cluster's consensus layer

Usage:
  nats-audit check     --servers URL[,URL...] [options]    run one epoch of checks (or --watch)
  nats-audit check     --sample FILE [options]             judge a saved sample offline
  nats-audit check     --fleet FILE [--cluster NAME]       one epoch for every cluster of a fleet file
  nats-audit gather    --servers URL[,URL...] --out FILE   save one epoch's raw replies
  nats-audit rebalance --servers URL[,URL...] [--execute]  plan leader moves (dry run) or carry them out
  nats-audit checks                                        list the checks and thresholds
  nats-audit demo                                          run against a throwaway local cluster
  nats-audit help [COMMAND]

Exit codes (as Nagios plugins): 0 ok, 1 warning, 2 critical, 3 unknown (the audit could not run).
`;

export function commandHelp(command: string): string | undefined {
  switch (command) {
    case 'check':
      return usage('nats-audit check --servers URL[,URL...] [options]\n       nats-audit check --fleet FILE [--cluster NAME] [options]', CHECK_SPECS,
        'Samples every server through the system account, runs every check and compares with the previous epoch kept in the state file. With --fleet, does so for each cluster of the fleet file (credentials from its Secrets Manager secret through the default AWS credential chain, unless auth flags are given); --format json then prints one report per line, and the exit code is the worst status (critical, warning, unknown, ok).');
    case 'gather':
      return usage('nats-audit gather --servers URL[,URL...] --out FILE [options]', GATHER_SPECS,
        'Saves one epoch\'s raw replies (per vantage, with timings) as gzip-compressed JSON lines. The file holds no credentials; judge it later with `check --sample FILE`.');
    case 'demo':
      return usage('nats-audit demo [options]', DEMO_SPECS,
        'Starts a throwaway 3-node JetStream cluster on free loopback ports (needs nats-server on PATH), piles stream leaders onto one server, partitions the meta leader and heals it, running an epoch after each step. Everything is removed afterwards.');
    case 'rebalance':
      return usage('nats-audit rebalance --servers URL[,URL...] [--accounts FILE] [--execute] [options]', REBALANCE_SPECS,
        'Plans which stream and consumer leaders to move, and where, so that no server leads more than it must (every target a current replica of its group). A dry run by default. --execute carries the moves out one at a time, paced, re-checking before each that no meta disagreement, missing server or lagging replica is present, then re-samples and reports the result. Exit 0 done, 1 partly done, 2 refused to start, 3 could not run.');
    case 'checks':
      return 'Usage: nats-audit checks\n\nLists every check with its id, severities and thresholds (use ids with --skip and --threshold).\n';
    default:
      return undefined;
  }
}

function usage(line: string, specs: Record<string, OptionSpec>, about: string): string {
  const rows = Object.values(specs).map((s) => {
    const left = `--${s.flag}${s.value ? ` ${s.value}` : ''}`;
    const env = s.env ? ` [${s.env}]` : '';
    return [left, `${s.help}${env}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  return `Usage: ${line}\n\n${about}\n\nOptions (environment variable in brackets):\n${rows
    .map(([l, r]) => `  ${l.padEnd(width)}  ${r}`)
    .join('\n')}\n  --help${' '.repeat(Math.max(0, width - 6))}  Show this help\n`;
}

/** Whether a check can page the first time it sees something: the declared exception, or "once persistent". */
function firstSight(c: CheckDefinition): string {
  const exception = c.criticalAtFirstSight;
  return exception
    ? `critical at first sight when ${exception.when}: ${exception.reason}`
    : 'critical only once persistent (a warning when first seen: it may be a passing election)';
}

export function checkCatalogue(registry: CheckRegistry): string {
  const exceptions = registry.all().filter((c) => c.criticalAtFirstSight);
  const header = `Critical at first sight (every other critical starts as a warning and is raised once persistent): ${exceptions.map((c) => `${c.id} (${c.criticalAtFirstSight!.when})`).join('; ')}.\n\n`;
  const blocks = registry.all().map((c) => {
    const thresholds = c.thresholds.map((t) => `    ${c.id}.${t.key}=${t.default} (${t.unit}): ${t.description}`);
    return [
      `${c.id} [${c.severities.join(', ')}]`,
      `  ${c.title}: ${c.description}`,
      ...(c.severities.includes('critical') ? [`  ${firstSight(c)}`] : []),
      ...(thresholds.length ? ['  thresholds:', ...thresholds] : []),
    ].join('\n');
  });
  return `${header}${blocks.join('\n\n')}\n`;
}
