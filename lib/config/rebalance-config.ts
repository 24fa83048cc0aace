import { ConfigError } from '../errors.js';
import { connectionConfig, type ConnectionConfig } from './check-config.js';
import { REBALANCE_SPECS } from './option-specs.js';
import { readOptions, rules, validate } from './read-options.js';

export interface RebalanceConfig {
  readonly connection: ConnectionConfig;
  readonly accountsPath?: string;
  readonly accountsSource?: string;
  readonly execute: boolean;
  readonly movesPerSecond: number;
  readonly maxMoves: number;
  readonly cluster?: string;
  readonly clusterSource?: string;
  readonly format: 'text' | 'json';
  /** What the plan evens out: leader counts, or stream writes per second (lib/rebalance/load-plan.ts). */
  readonly by: 'count' | 'load';
  /** With `by: 'load'`: time between the two samples rates are measured over. */
  readonly loadWindowMs: number;
}

/** One election a second leaves each group's clients a quiet second between hand-offs. */
export const DEFAULT_MOVES_PER_SECOND = 1;
export const DEFAULT_MAX_MOVES = 50;
/** Ten seconds: several Raft heartbeats, and enough writes on a busy stream to tell it from an idle one. */
export const DEFAULT_LOAD_WINDOW_SECONDS = 10;

export function parseRebalanceConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RebalanceConfig {
  const given = readOptions(REBALANCE_SPECS, argv, env);
  if (given.execute?.value && given.dryRun?.value) throw new ConfigError('--execute', 'cannot be combined with --dry-run');
  const execute = given.execute?.value === true;
  const accountsPath = validate(given.accounts, rules.nonEmpty);
  return {
    connection: connectionConfig(given),
    accountsPath,
    accountsSource: given.accounts?.source,
    execute,
    movesPerSecond: validate(given.movesPerSecond, rules.positiveInt('moves per second')) ?? DEFAULT_MOVES_PER_SECOND,
    maxMoves: validate(given.maxMoves, rules.positiveInt('moves')) ?? DEFAULT_MAX_MOVES,
    cluster: validate(given.cluster, rules.nonEmpty),
    clusterSource: given.cluster?.source,
    format: validate(given.format, rules.format) ?? 'text',
    by: validate(given.by, rules.rebalanceBy) ?? 'count',
    loadWindowMs: (validate(given.loadWindow, rules.positiveInt('seconds')) ?? DEFAULT_LOAD_WINDOW_SECONDS) * 1000,
  };
}
