import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { DEFAULT_TIMEOUT_MS, parseCheckConfig, parseGatherConfig, type CheckConfig } from '../../lib/config/check-config.js';
import { ConfigError } from '../../lib/errors.js';

type Env = Record<string, string | undefined>;
const registry = defaultRegistry();
const SERVERS = ['--servers', 'nats://n1:4222'];

function parse(argv: readonly string[], env: Env = {}): CheckConfig {
  return parseCheckConfig(argv, env, registry);
}

/** The ConfigError parsing throws; fails the test when it does not throw one. */
function configError(argv: readonly string[], env: Env = {}, parser: (a: readonly string[], e: Env) => unknown = parse): ConfigError {
  try {
    parser(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${argv.join(' ')} ${JSON.stringify(env)}`);
}

describe('parseCheckConfig: every flag and its environment variable', () => {
  const cases: { flag: string; env: string; value: string; read: (c: CheckConfig) => unknown; expected: unknown }[] = [
    { flag: 'servers', env: 'NATS_URL', value: 'nats://a:4222, tls://b:4443', read: (c) => c.connection?.servers, expected: ['nats://a:4222', 'tls://b:4443'] },
    { flag: 'token', env: 'NATS_TOKEN', value: 'tok', read: (c) => c.connection?.auth, expected: { token: 'tok' } },
    { flag: 'nkey', env: 'NATS_NKEY', value: '/keys/user.nk', read: (c) => c.connection?.auth, expected: { nkeySeedFile: '/keys/user.nk' } },
    { flag: 'creds', env: 'NATS_CREDS', value: '/keys/sys.creds', read: (c) => c.connection?.auth, expected: { credsFile: '/keys/sys.creds' } },
    { flag: 'tls-ca', env: 'NATS_CA', value: '/tls/ca.pem', read: (c) => c.connection?.tls.caFile, expected: '/tls/ca.pem' },
    { flag: 'tls-cert', env: 'NATS_CERT', value: '/tls/c.pem', read: (c) => c.connection?.tls.certFile, expected: '/tls/c.pem' },
    { flag: 'tls-key', env: 'NATS_KEY', value: '/tls/k.pem', read: (c) => c.connection?.tls.keyFile, expected: '/tls/k.pem' },
    { flag: 'expect-servers', env: 'NATS_AUDIT_EXPECT_SERVERS', value: '5', read: (c) => c.connection?.expectServers, expected: 5 },
    { flag: 'timeout', env: 'NATS_AUDIT_TIMEOUT', value: ' 2500 ', read: (c) => c.connection?.timeoutMs, expected: 2500 },
    { flag: 'state', env: 'NATS_AUDIT_STATE', value: '/var/lib/audit.json', read: (c) => c.statePath, expected: '/var/lib/audit.json' },
    { flag: 'format', env: 'NATS_AUDIT_FORMAT', value: 'json', read: (c) => c.format, expected: 'json' },
    { flag: 'watch', env: 'NATS_AUDIT_WATCH', value: '30', read: (c) => c.watchSeconds, expected: 30 },
    { flag: 'skip', env: 'NATS_AUDIT_SKIP', value: 'clock_skew, route_missing', read: (c) => [...c.checks.skip], expected: ['clock_skew', 'route_missing'] },
    {
      flag: 'threshold',
      env: 'NATS_AUDIT_THRESHOLDS',
      value: 'clock_skew.max_skew_ms=900,uneven_leader_distribution.ratio=2.5',
      read: (c) => c.checks.thresholds,
      expected: { clock_skew: { max_skew_ms: 900 }, uneven_leader_distribution: { ratio: 2.5 } },
    },
    { flag: 'persist-epochs', env: 'NATS_AUDIT_PERSIST_EPOCHS', value: '3', read: (c) => c.persistence.epochs, expected: 3 },
    { flag: 'persist-seconds', env: 'NATS_AUDIT_PERSIST_SECONDS', value: '1.5', read: (c) => c.persistence.minMs, expected: 1500 },
    { flag: 'confirm-delay', env: 'NATS_AUDIT_CONFIRM_DELAY', value: '4500', read: (c) => c.confirmDelayMs, expected: 4500 },
    { flag: 'cluster', env: 'NATS_AUDIT_CLUSTER', value: 'prod-east', read: (c) => c.clusterName, expected: 'prod-east' },
  ];

  for (const { flag, env, value, read, expected } of cases) {
    it(`--${flag} and ${env}`, () => {
      // Prepare
      const base = flag === 'servers' ? [] : SERVERS;

      // Act
      const fromFlag = parse([...base, `--${flag}`, value]);
      const fromEnv = parse(base, { [env]: value });

      // Assess
      expect(read(fromFlag)).toEqual(expected);
      expect(read(fromEnv)).toEqual(expected);
    });
  }

  it('--user with --password, or with NATS_USER / NATS_PASSWORD', () => {
    const expected = { user: 'sys', password: 'pw' };
    expect(parse([...SERVERS, '--user', 'sys', '--password', 'pw']).connection?.auth).toEqual(expected);
    expect(parse(SERVERS, { NATS_USER: 'sys', NATS_PASSWORD: 'pw' }).connection?.auth).toEqual(expected);
    expect(parse([...SERVERS, '--user', 'sys'], { NATS_PASSWORD: 'pw' }).connection?.auth).toEqual(expected);
  });

  it('--sample reads a saved sample: no connection, and no state file unless one is given', () => {
    // Act
    const config = parse(['--sample', 'epoch.json'], { NATS_URL: 'nats://ignored:4222' });

    // Assess
    expect(config).toMatchObject({ samplePath: 'epoch.json', connection: undefined, statePath: undefined });
    expect(parse(['--sample', 'epoch.json', '--state', 's.json']).statePath).toBe('s.json');
    expect(parse([], { NATS_AUDIT_SAMPLE: 'epoch.json' })).toMatchObject({ samplePath: 'epoch.json', connection: undefined });
  });

  it('applies defaults', () => {
    // Act
    const config = parse(SERVERS, {});

    // Assess
    expect(config).toMatchObject({
      format: 'text',
      watchSeconds: undefined,
      statePath: join(homedir(), '.local', 'state', 'nats-audit', 'state.json'),
      persistence: { epochs: 2, minMs: 0 },
      clusterName: undefined,
      connection: { servers: ['nats://n1:4222'], auth: {}, timeoutMs: DEFAULT_TIMEOUT_MS, expectServers: undefined },
    });
    expect(parse(SERVERS, { XDG_STATE_HOME: '/xdg' }).statePath).toBe('/xdg/nats-audit/state.json');
  });

  it('a flag beats its variable; an empty variable counts as unset', () => {
    expect(parse([...SERVERS, '--format', 'json'], { NATS_AUDIT_FORMAT: 'text' }).format).toBe('json');
    expect(parse(SERVERS, { NATS_AUDIT_FORMAT: '' }).format).toBe('text');
  });

  it('repeated --skip and --threshold flags add up', () => {
    // Act
    const config = parse([...SERVERS, '--skip', 'clock_skew', '--skip', 'route_missing', '--threshold', 'clock_skew.max_skew_ms=1', '--threshold', 'meta_leader_flapping.max_changes=5']);

    // Assess
    expect([...config.checks.skip]).toEqual(['clock_skew', 'route_missing']);
    expect(config.checks.thresholds).toEqual({ clock_skew: { max_skew_ms: 1 }, meta_leader_flapping: { max_changes: 5 } });
  });
});

describe('parseCheckConfig: errors name the flag or variable', () => {
  const numbers: { flag: string; env: string; value: string; problem: string }[] = [
    { flag: 'expect-servers', env: 'NATS_AUDIT_EXPECT_SERVERS', value: '0', problem: 'must be at least 1 servers (got "0")' },
    { flag: 'expect-servers', env: 'NATS_AUDIT_EXPECT_SERVERS', value: 'three', problem: 'must be a whole number of servers (got "three")' },
    { flag: 'timeout', env: 'NATS_AUDIT_TIMEOUT', value: '-5', problem: 'must be a whole number of milliseconds (got "-5")' },
    { flag: 'timeout', env: 'NATS_AUDIT_TIMEOUT', value: '2.5', problem: 'must be a whole number of milliseconds (got "2.5")' },
    { flag: 'watch', env: 'NATS_AUDIT_WATCH', value: '0', problem: 'must be at least 1 seconds (got "0")' },
    { flag: 'persist-epochs', env: 'NATS_AUDIT_PERSIST_EPOCHS', value: '1e2', problem: 'must be a whole number of epochs (got "1e2")' },
    { flag: 'persist-seconds', env: 'NATS_AUDIT_PERSIST_SECONDS', value: '-1', problem: 'must be a number of seconds (got "-1")' },
    { flag: 'format', env: 'NATS_AUDIT_FORMAT', value: 'xml', problem: 'must be text, json, html or openmetrics (got "xml")' },
    { flag: 'confirm-delay', env: 'NATS_AUDIT_CONFIRM_DELAY', value: '9001', problem: 'must be at most 9000 milliseconds (got "9001")' },
    { flag: 'confirm-delay', env: 'NATS_AUDIT_CONFIRM_DELAY', value: '3s', problem: 'must be a whole number of milliseconds (got "3s")' },
  ];

  for (const { flag, env, value, problem } of numbers) {
    it(`--${flag} / ${env} ${JSON.stringify(value)}`, () => {
      // Act
      const fromFlag = configError([...SERVERS, `--${flag}=${value}`]);
      const fromEnv = configError(SERVERS, { [env]: value });

      // Assess
      expect(fromFlag).toMatchObject({ field: `--${flag}`, problem, message: `--${flag}: ${problem}` });
      expect(fromEnv).toMatchObject({ field: env, problem, message: `${env}: ${problem}` });
    });
  }

  it('--format html is one page: refused with --watch or --fleet, naming where html came from', () => {
    expect(parse([...SERVERS, '--format', 'html']).format).toBe('html');
    expect(configError([...SERVERS, '--format', 'html', '--watch', '10']).message).toBe(
      '--format: html is one self-contained page for one epoch of one cluster; it cannot be combined with --watch',
    );
    expect(configError(['--fleet', 'fleet.json'], { NATS_AUDIT_FORMAT: 'html' }).message).toBe(
      'NATS_AUDIT_FORMAT: html is one self-contained page for one epoch of one cluster; it cannot be combined with --fleet',
    );
  });

  it('a negative value must be attached with =, else it reads as a flag', () => {
    expect(configError([...SERVERS, '--timeout', '-5']).field).toBe('arguments');
  });

  it('an unknown flag or a stray argument', () => {
    expect(configError([...SERVERS, '--nope'])).toMatchObject({ field: 'arguments', message: "arguments: Unknown option '--nope'" });
    expect(configError([...SERVERS, 'extra']).field).toBe('arguments');
    expect(configError([...SERVERS, '--format']).message).toBe("arguments: Option '--format <value>' argument missing");
  });

  it('an unknown check in --skip or NATS_AUDIT_SKIP lists the checks there are', () => {
    // Act
    const error = configError([...SERVERS, '--skip', 'clock_skew,nope']);

    // Assess
    expect(error.field).toBe('--skip');
    expect(error.problem).toBe(`unknown check "nope"; checks: ${registry.ids().join(', ')}`);
    expect(configError(SERVERS, { NATS_AUDIT_SKIP: 'nope' }).field).toBe('NATS_AUDIT_SKIP');
  });

  it('bad --threshold forms', () => {
    const cases: [string, string][] = [
      ['ratio=2', 'expected CHECK.KEY=VALUE, got "ratio=2"'],
      ['uneven_leader_distribution.ratio', 'expected CHECK.KEY=VALUE, got "uneven_leader_distribution.ratio"'],
      ['Uneven.ratio=2', 'expected CHECK.KEY=VALUE, got "Uneven.ratio=2"'],
      ['nope.ratio=2', `unknown check "nope"; checks: ${registry.ids().join(', ')}`],
      ['uneven_leader_distribution.nope=2', 'uneven_leader_distribution has no threshold "nope"; it has: ratio, critical_ratio, min_excess'],
      ['meta_no_leader.ratio=2', 'meta_no_leader has no threshold "ratio"'],
      ['uneven_leader_distribution.ratio=0.5', 'uneven_leader_distribution.ratio must be a number of at least 1 (ratio), got "0.5"'],
      ['uneven_leader_distribution.ratio=abc', 'uneven_leader_distribution.ratio must be a number of at least 1 (ratio), got "abc"'],
      ['uneven_leader_distribution.ratio=Infinity', 'uneven_leader_distribution.ratio must be a number of at least 1 (ratio), got "Infinity"'],
      ['uneven_leader_distribution.min_excess= ', 'expected CHECK.KEY=VALUE, got "uneven_leader_distribution.min_excess="'],
    ];
    for (const [entry, problem] of cases) {
      expect(configError([...SERVERS, '--threshold', entry]), entry).toMatchObject({ field: '--threshold', problem });
    }
    expect(configError(SERVERS, { NATS_AUDIT_THRESHOLDS: 'x' }).field).toBe('NATS_AUDIT_THRESHOLDS');
  });

  it('conflicting ways to authenticate name both sources', () => {
    expect(configError([...SERVERS, '--user', 'u', '--password', 'p', '--token', 't'])).toMatchObject({
      field: '--token',
      problem: 'conflicts with --user: give one way to authenticate',
    });
    expect(configError([...SERVERS, '--nkey', 'a.nk', '--creds', 'b.creds']).message).toBe('--creds: conflicts with --nkey: give one way to authenticate');
    expect(configError(SERVERS, { NATS_CREDS: 'b.creds', NATS_TOKEN: 't' }).message).toBe('NATS_CREDS: conflicts with NATS_TOKEN: give one way to authenticate');
  });

  it('an auth flag replaces another way to authenticate set in the environment', () => {
    expect(parse([...SERVERS, '--creds', 'b.creds'], { NATS_TOKEN: 't' }).connection?.auth).toEqual({ credsFile: 'b.creds' });
    expect(parse([...SERVERS, '--token', 't'], { NATS_USER: 'u', NATS_PASSWORD: 'p' }).connection?.auth).toEqual({ token: 't' });
  });

  it('--password without --user, and --user without a password', () => {
    expect(configError([...SERVERS, '--password', 'p'])).toMatchObject({ field: '--user', problem: 'is required with --password' });
    expect(configError(SERVERS, { NATS_PASSWORD: 'p' }).message).toBe('--user: is required with NATS_PASSWORD');
    expect(configError([...SERVERS, '--user', 'u'])).toMatchObject({ field: '--password', problem: 'is required with --user (or set NATS_PASSWORD)' });
  });

  it('--sample cannot be combined with --watch, NATS_AUDIT_WATCH or --servers', () => {
    expect(configError(['--sample', 's.json', '--watch', '10'])).toMatchObject({
      field: '--watch',
      problem: 'cannot be combined with --sample (a saved sample does not change)',
    });
    expect(configError(['--sample', 's.json'], { NATS_AUDIT_WATCH: '10' }).field).toBe('NATS_AUDIT_WATCH');
    expect(configError(['--sample', 's.json', ...SERVERS]).message).toBe('--servers: cannot be combined with --sample');
    expect(configError(SERVERS, { NATS_AUDIT_SAMPLE: 's.json' }).message).toBe('--servers: cannot be combined with NATS_AUDIT_SAMPLE');
  });

  it('server URLs: required, not empty, and well formed', () => {
    expect(configError([]).message).toBe('--servers: is required (or set NATS_URL): the URL of every server of the cluster, comma separated');
    expect(configError(['--servers', ' , ']).message).toBe('--servers: lists no URL');
    expect(configError([], { NATS_URL: 'http://n1:8222' }).message).toBe('NATS_URL: unsupported scheme "http://" in http://n1:8222 (use nats:// or tls://)');
    expect(configError(['--servers', 'nats://n1:99999']).message).toBe('--servers: "nats://n1:99999" is not a server URL: the port must be within 1-65535');
  });
});

describe('parseCheckConfig: secrets never appear in an error', () => {
  const PASSWORD = 'hunter2-S3cr3t';
  const TOKEN = 'tok-0f1e2d3c4b5a';
  const cases: [string, string[], Env][] = [
    ['--password without --user', [...SERVERS, '--password', PASSWORD], {}],
    ['NATS_PASSWORD without a user', SERVERS, { NATS_PASSWORD: PASSWORD }],
    ['password and token together', [...SERVERS, '--user', 'u', '--password', PASSWORD, '--token', TOKEN], {}],
    ['token and creds together', [...SERVERS, '--creds', 'c.creds', '--token', TOKEN], {}],
    ['a password that looks like a flag', [...SERVERS, '--user', 'u', '--password', `-${PASSWORD}`], {}],
    ['a misspelt --password', [...SERVERS, `--pasword=${PASSWORD}`], {}],
    ['a password left without its flag', [...SERVERS, '--user', 'u', PASSWORD], {}],
    ['a bad number beside the password', [...SERVERS, '--user', 'u', '--password', PASSWORD, '--timeout', 'soon'], {}],
    ['credentials in a URL with a bad port', ['--servers', `nats://admin:${PASSWORD}@n1:99999`], {}],
    ['credentials in a URL with a bad scheme', [], { NATS_URL: `http://admin:${PASSWORD}@n1` }],
    ['a token in a URL with a bad host', ['--servers', `nats://${TOKEN}@[nope`], {}],
    ['--sample with --watch and a password', ['--sample', 's.json', '--watch', '5', '--user', 'u', '--password', PASSWORD], {}],
    ['an empty token', [...SERVERS, '--token='], { NATS_PASSWORD: PASSWORD }],
    ['a URL with credentials in the wrong variable', SERVERS, { NATS_AUDIT_FORMAT: `nats://admin:${PASSWORD}@n1` }],
    ['a URL with credentials in the thresholds, cut at a comma', SERVERS, { NATS_AUDIT_THRESHOLDS: `nats://admin:${PASSWORD},@n1` }],
    ['a comma in a password of a URL list', ['--servers', `nats://admin:${PASSWORD},x@n1:4222`], {}],
    ['a password given to no flag name', [...SERVERS, `--=${PASSWORD}`], {}],
  ];

  for (const [name, argv, env] of cases) {
    it(name, () => {
      // Act
      const error = configError(argv, env);
      const everything = [error.message, error.field, error.problem, String(error), error.stack ?? '', JSON.stringify(error)].join('\n');

      // Assess
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain(TOKEN);
    });
  }
});

describe('parseCheckConfig: hostile values are quoted safely', () => {
  it('a long value is clipped, a control character escaped: one short line', () => {
    // Act
    const long = configError([...SERVERS, '--format', 'x'.repeat(5_000)]);
    const escaped = configError([...SERVERS, '--format', 'te\u001b[2J\nxt']);

    // Assess
    expect(long.message).toBe(`--format: must be text, json, html or openmetrics (got "${'x'.repeat(59)}…")`);
    expect(escaped.message).toBe('--format: must be text, json, html or openmetrics (got "te\\u001b[2J\\nxt")');
  });

  it('a list holding a comma-split password says which URL, without quoting any', () => {
    expect(configError(['--servers', 'nats://admin:pa,ss@n1:4222']).message).toBe(
      '--servers: URL 1 of 2 is not [nats://|tls://][user:password@]host[:port] (not shown: the list holds credentials; write a comma in a password as %2C)',
    );
  });

  it('numbers too large are errors in our words, not Infinity or zod\'s wording', () => {
    expect(configError([...SERVERS, '--persist-seconds', '9'.repeat(400)]).problem).toMatch(/^is too large a number of seconds \(got "9+…"\)$/);
    expect(configError([...SERVERS, '--timeout', '99999999999999999999']).problem).toBe('expected at most 9007199254740991 (got "99999999999999999999")');
    expect(configError([...SERVERS, '--threshold', `clock_skew.max_skew_ms=${'9'.repeat(400)}`]).problem).toMatch(/^clock_skew\.max_skew_ms must be a number of at least 1 \(ms\), got "9+…"$/);
  });
});

describe('parseGatherConfig', () => {
  it('needs --out, and reads the connection flags', () => {
    expect(parseGatherConfig([...SERVERS, '--out', 'sample.json'], {})).toMatchObject({ outPath: 'sample.json', connection: { servers: ['nats://n1:4222'] } });
    expect(parseGatherConfig(SERVERS, { NATS_AUDIT_OUT: 'env.json' }).outPath).toBe('env.json');
    expect(configError(SERVERS, {}, parseGatherConfig).message).toBe('--out: is required: the file to write the sample to');
    expect(configError([...SERVERS, '--out', 'x', '--watch', '5'], {}, parseGatherConfig).message).toBe("arguments: Unknown option '--watch'");
  });
});
