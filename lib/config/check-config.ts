import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CheckRegistry } from '../checks/registry.js';
import type { CheckSettings } from '../epoch/judge.js';
import { DEFAULT_LOAD_DETAIL_EVERY } from '../load/detail-cadence.js';
import { DEFAULT_PERSISTENCE, type PersistencePolicy } from '../epoch/lifecycle.js';
import { DEFAULT_CONFIRM_DELAY_MS, MAX_CONFIRM_DELAY_MS } from '../epoch/confirmation.js';
import { ConfigError } from '../errors.js';
import type { AuthOptions, TlsOptions } from '../sampling/connection-options.js';
import { ConnectionOptionsError, parseServerUrl } from '../sampling/connection-options.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { CHECK_SPECS, CONNECTION_SPECS, GATHER_SPECS } from './option-specs.js';
import { clipProblem, readOptions, rules, shownValue, validate, type Given, type GivenOptions } from './read-options.js';

export const DEFAULT_TIMEOUT_MS = 5_000;

export interface ConnectionConfig {
  /** URLs as given (they may carry user info; never print them: use sanitizeUrl). */
  readonly servers: readonly string[];
  readonly auth: AuthOptions;
  readonly tls: TlsOptions;
  readonly expectServers?: number;
  readonly timeoutMs: number;
}

export interface CheckConfig {
  /** Absent when judging a saved sample or a fleet. */
  readonly connection?: ConnectionConfig;
  readonly samplePath?: string;
  /** Audit every cluster of this fleet file instead of one cluster. */
  readonly fleetPath?: string;
  /** With a fleet: credentials given as flags, used for every cluster instead of its secret. */
  readonly fleetCredentials?: { readonly auth: AuthOptions; readonly tls: TlsOptions };
  /** Undefined: keep state in memory only. */
  readonly statePath?: string;
  /** `html`: one self-contained page (see lib/report/html); one cluster, one epoch. */
  readonly format: 'text' | 'json' | 'html' | 'openmetrics';
  readonly watchSeconds?: number;
  /** With --watch: serve the last epoch's metrics here. */
  readonly metricsListen?: ListenAddress;
  readonly checks: CheckSettings;
  readonly persistence: PersistencePolicy;
  /** Delay before an epoch with signs of an election samples again; unused with a saved sample. */
  readonly confirmDelayMs: number;
  /** Explicit cluster label; otherwise derived from the URLs. */
  readonly clusterName?: string;
  /** Every server's stream detail at least every this many epochs (lib/load/detail-cadence.ts). */
  readonly loadDetailEvery: number;
}

export interface GatherCommandConfig {
  readonly connection: ConnectionConfig;
  readonly outPath: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function defaultStatePath(env: Env): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'nats-audit', 'state.json');
}

export function parseCheckConfig(argv: readonly string[], env: Env, registry: CheckRegistry): CheckConfig {
  const given = readOptions(CHECK_SPECS, argv, env);
  const samplePath = validate(given.sample, rules.nonEmpty);
  if (samplePath !== undefined && given.watch !== undefined) {
    throw new ConfigError(given.watch.source, `cannot be combined with ${given.sample!.source} (a saved sample does not change)`);
  }
  if (samplePath !== undefined && given.servers?.source === '--servers') {
    throw new ConfigError('--servers', `cannot be combined with ${given.sample!.source}`);
  }
  const fleetPath = validate(given.fleet, rules.nonEmpty);
  if (fleetPath !== undefined) {
    const other = given.sample ?? (given.servers?.source === '--servers' ? given.servers : undefined) ?? given.expectServers;
    if (other) throw new ConfigError(other.source, `cannot be combined with ${given.fleet!.source} (the fleet file lists each cluster's servers)`);
  }
  const format = validate(given.format, rules.checkFormat) ?? 'text';
  if (format === 'html') {
    // A page is one document: a stream of them on stdout opens as none.
    const other = given.watch ?? given.fleet;
    if (other) throw new ConfigError(given.format!.source, `html is one self-contained page for one epoch of one cluster; it cannot be combined with ${other.source}`);
  }
  const statePath = validate(given.state, rules.nonEmpty) ?? (samplePath === undefined ? defaultStatePath(env) : undefined);
  return {
    connection: samplePath === undefined && fleetPath === undefined ? connectionConfig(given) : undefined,
    samplePath,
    fleetPath,
    fleetCredentials: fleetPath === undefined ? undefined : fleetCredentials(given),
    statePath,
    format,
    watchSeconds: validate(given.watch, rules.positiveInt('seconds')),
    metricsListen: metricsListen(given),
    checks: checkSettings(given, registry),
    confirmDelayMs: validate(given.confirmDelay, rules.intRange('milliseconds', 0, MAX_CONFIRM_DELAY_MS)) ?? DEFAULT_CONFIRM_DELAY_MS,
    persistence: {
      epochs: validate(given.persistEpochs, rules.positiveInt('epochs')) ?? DEFAULT_PERSISTENCE.epochs,
      minMs: (validate(given.persistSeconds, rules.nonNegativeNumber('seconds')) ?? DEFAULT_PERSISTENCE.minMs / 1000) * 1000,
    },
    clusterName: validate(given.cluster, rules.nonEmpty),
    loadDetailEvery: validate(given.loadDetailEvery, rules.positiveInt('epochs')) ?? DEFAULT_LOAD_DETAIL_EVERY,
  };
}

function metricsListen(given: GivenOptions<typeof CHECK_SPECS>): ListenAddress | undefined {
  const listen = given.metricsListen;
  if (listen === undefined) return undefined;
  if (given.watch === undefined) throw new ConfigError(listen.source, 'needs --watch: metrics are served between epochs');
  if (given.fleet !== undefined) throw new ConfigError(listen.source, `cannot be combined with ${given.fleet.source}`);
  const parsed = parseListenAddress(listen.value);
  if (typeof parsed === 'string') throw new ConfigError(listen.source, `${parsed}${shownSuffix(listen)}`);
  return parsed;
}

function shownSuffix(given: Given<string>): string {
  const shown = shownValue(given.value, given.source);
  return shown === undefined ? '' : ` (got ${shown})`;
}

export function parseGatherConfig(argv: readonly string[], env: Env): GatherCommandConfig {
  const given = readOptions(GATHER_SPECS, argv, env);
  const outPath = validate(given.out, rules.nonEmpty);
  if (outPath === undefined) throw new ConfigError('--out', 'is required: the file to write the sample to');
  return { connection: connectionConfig(given), outPath };
}

/** Each way to authenticate and the options that make it up. */
const AUTH_METHODS = [['user', 'password'], ['token'], ['nkey'], ['creds']] as const;

/**
 * Flags win over the environment for the way to authenticate: `--token` on
 * the command line replaces NATS_USER/NATS_PASSWORD from a shell profile
 * instead of conflicting with them, while `--user sys` still takes its
 * password from NATS_PASSWORD.
 */
function preferAuthFlags(given: GivenOptions<typeof CONNECTION_SPECS>): GivenOptions<typeof CONNECTION_SPECS> {
  const flagged = AUTH_METHODS.filter((keys) => keys.some((key) => given[key]?.source.startsWith('--')));
  if (flagged.length === 0) return given;
  const kept = { ...given };
  for (const keys of AUTH_METHODS) {
    if (flagged.includes(keys)) continue;
    for (const key of keys) if (kept[key] && !kept[key].source.startsWith('--')) delete kept[key];
  }
  return kept;
}

export function connectionConfig(allGiven: GivenOptions<typeof CONNECTION_SPECS>): ConnectionConfig {
  const given = preferAuthFlags(allGiven);
  if (!given.servers) {
    throw new ConfigError('--servers', 'is required (or set NATS_URL): the URL of every server of the cluster, comma separated');
  }
  const servers = given.servers.value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new ConfigError(given.servers.source, 'lists no URL');
  const listed = given.servers;
  servers.forEach((url, i) => {
    try {
      parseServerUrl(url);
    } catch (error) {
      if (!(error instanceof ConnectionOptionsError)) throw error;
      // Name the flag or variable the URL actually came from. A list holding
      // user info is not quoted at all: a comma in a password splits it, and
      // the piece before the comma would show.
      const problem =
        servers.length > 1 && listed.value.includes('@')
          ? `URL ${i + 1} of ${servers.length} is not [nats://|tls://][user:password@]host[:port] (not shown: the list holds credentials; write a comma in a password as %2C)`
          : clipProblem(error.problem);
      throw new ConfigError(listed.source, problem);
    }
  });
  const methods = [given.user ?? given.password, given.token, given.nkey, given.creds].filter((g) => g !== undefined);
  if (methods.length > 1) {
    throw new ConfigError(methods[1]!.source, `conflicts with ${methods[0]!.source}: give one way to authenticate`);
  }
  return {
    servers,
    auth: authOptions(given),
    tls: {
      caFile: validate(given.tlsCa, rules.nonEmpty),
      certFile: validate(given.tlsCert, rules.nonEmpty),
      keyFile: validate(given.tlsKey, rules.nonEmpty),
    },
    expectServers: validate(given.expectServers, rules.positiveInt('servers')),
    timeoutMs: validate(given.timeout, rules.positiveInt('milliseconds')) ?? DEFAULT_TIMEOUT_MS,
  };
}

/** Auth flags for a fleet: an explicit way to authenticate replaces every cluster's secret. */
function fleetCredentials(allGiven: GivenOptions<typeof CONNECTION_SPECS>): CheckConfig['fleetCredentials'] {
  const given = preferAuthFlags(allGiven);
  const methods = [given.user ?? given.password, given.token, given.nkey, given.creds].filter((g) => g !== undefined);
  if (methods.length === 0) return undefined;
  if (methods.length > 1) {
    throw new ConfigError(methods[1]!.source, `conflicts with ${methods[0]!.source}: give one way to authenticate`);
  }
  return {
    auth: authOptions(given),
    tls: {
      caFile: validate(given.tlsCa, rules.nonEmpty),
      certFile: validate(given.tlsCert, rules.nonEmpty),
      keyFile: validate(given.tlsKey, rules.nonEmpty),
    },
  };
}

function authOptions(given: GivenOptions<typeof CONNECTION_SPECS>): AuthOptions {
  if (given.user || given.password) {
    if (!given.user) throw new ConfigError('--user', `is required with ${given.password!.source}`);
    if (!given.password) throw new ConfigError('--password', `is required with ${given.user.source} (or set NATS_PASSWORD)`);
    return { user: validate(given.user, rules.nonEmpty)!, password: given.password.value };
  }
  if (given.token) return { token: validate(given.token, rules.nonEmpty)! };
  if (given.nkey) return { nkeySeedFile: validate(given.nkey, rules.nonEmpty)! };
  if (given.creds) return { credsFile: validate(given.creds, rules.nonEmpty)! };
  return {};
}

const thresholdPattern = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)=(.+)$/;

function checkSettings(given: GivenOptions<typeof CHECK_SPECS>, registry: CheckRegistry): CheckSettings {
  const skip = new Set<string>();
  for (const id of splitList(given.skip?.value)) {
    if (!registry.get(id)) throw new ConfigError(given.skip!.source, `unknown check${quoted(id, given.skip!)}; checks: ${registry.ids().join(', ')}`);
    skip.add(id);
  }
  const thresholds: Record<string, Record<string, number>> = {};
  for (const entry of splitList(given.threshold?.value)) {
    const source = given.threshold!.source;
    const match = thresholdPattern.exec(entry);
    if (!match) throw new ConfigError(source, `expected CHECK.KEY=VALUE${quoted(entry, given.threshold!, ', got')}`);
    const [, id, key, raw] = match as unknown as [string, string, string, string];
    const check = registry.get(id);
    if (!check) throw new ConfigError(source, `unknown check${quoted(id, given.threshold!)}; checks: ${registry.ids().join(', ')}`);
    const spec = check.thresholds.find((t) => t.key === key);
    if (!spec) {
      const keys = check.thresholds.map((t) => t.key);
      throw new ConfigError(source, `${id} has no threshold${quoted(key, given.threshold!)}${keys.length ? `; it has: ${keys.join(', ')}` : ''}`);
    }
    const whole = spec.unit === 'count' || spec.unit === 'epochs';
    const value = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= spec.min) || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
      throw new ConfigError(source, `${id}.${key} must be a ${whole ? 'whole number' : 'number'} of at least ${spec.min} (${spec.unit})${quoted(raw, given.threshold!, ', got')}`);
    }
    (thresholds[id] ??= {})[key] = value;
  }
  return { skip, thresholds };
}

/**
 * ` "piece"` (after `lead`) when a piece of a given list may be shown, else
 * nothing: not when the list holds user info anywhere, since splitting at a
 * comma may have cut a password loose from its `@`.
 */
function quoted(piece: string, given: Given<readonly string[]>, lead = ''): string {
  if (given.value.some((v) => v.includes('@'))) return '';
  const shown = shownValue(piece, given.source);
  return shown === undefined ? '' : `${lead} ${shown}`;
}

function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}
