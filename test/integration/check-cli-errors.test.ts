import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local-cluster/index.js';
import { useCluster } from '../support/cluster.js';
import { checkJson, runCli, systemEnv, useTempDir } from '../support/cli.js';

/** A stack trace line as node prints them. */
const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

describe('the CLI against a real cluster it cannot audit', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('a wrong password exits 3 (unknown) with a clear message, no stack trace and no password', async () => {
    const c = cluster();
    const wrong = 'not-the-password-7f3a91';
    const result = await runCli(['check', '--timeout', '2000'], { env: { ...systemEnv(c), NATS_PASSWORD: wrong } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/authorization refused/i);
    expect(result.stderr).toContain('--user/--password');
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stdout + result.stderr).not.toContain(wrong);
  });

  it('a user outside the system account exits 3 and says so', async () => {
    const c = cluster();
    const result = await runCli(['check', '--timeout', '2000'], {
      env: { NATS_URL: c.urls.join(','), NATS_USER: c.app.user, NATS_PASSWORD: c.app.password },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/not in the system account/);
    expect(result.stdout + result.stderr).not.toContain(c.app.password);
  });

  it('a URL that cannot be used while the cluster answers through the others is a vantage_failed warning', async () => {
    const c = cluster();
    const deadUrl = `nats://127.0.0.1:${await freePort()}`;
    const { code, report } = await checkJson(['--state', join(dir, 'vantage.json')], { ...systemEnv(c), NATS_URL: [...c.urls, deadUrl].join(',') });
    expect(report.findings.map((f) => [f.check, f.subject, f.severity])).toEqual([['vantage_failed', `vantage:${deadUrl}`, 'warning']]);
    expect(report.findings[0]!.details.error).toMatch(/^unreachable: /);
    expect(code).toBe(1);
  });

  it('a corrupt state file is reported and replaced, never trusted', async () => {
    const c = cluster();
    const state = join(dir, 'corrupt-state.json');
    writeFileSync(state, '{"type":"io.nats-audit.v1.state","clusters":{"x":{"revision":"lots"}}}');
    const result = await runCli(['check', '--state', state], { env: systemEnv(c) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/note: state file .*corrupt-state\.json is corrupt \(clusters\.x\.revision: .*\); starting from an empty state and replacing it/);
    const replaced = JSON.parse(readFileSync(state, 'utf8')) as { clusters: Record<string, { epoch: number }> };
    expect(Object.values(replaced.clusters).map((s) => s.epoch)).toEqual([1]);
  });

  it('gather saves a credential-free sample that check --sample judges offline like the live check', async () => {
    const c = cluster();
    const out = join(dir, 'sample.json');
    const gathered = await runCli(['gather', '--out', out], { env: systemEnv(c) });
    expect(gathered.code).toBe(0);
    expect(gathered.stderr).toMatch(/wrote .*sample\.json: \d+ replies through 3 of 3 vantages/);
    const text = gunzipSync(readFileSync(out)).toString('utf8');
    expect(text).not.toContain(c.system.password);
    expect(JSON.parse(text.slice(0, text.indexOf('\n')))).toMatchObject({ type: 'io.nats-audit.v2.sample' });

    const offline = await checkJson(['--sample', out], {});
    expect(offline.code).toBe(0);
    expect(offline.report.servers.map((s) => s.name)).toEqual(['n1', 'n2', 'n3']);
    expect(offline.report.findings).toEqual([]);
  });
});

describe('the CLI with nothing to reach', () => {
  it('an unreachable cluster is a critical cluster_unreachable finding (exit 2)', async () => {
    const ports = [await freePort(), await freePort()];
    const { code, report } = await checkJson(['--timeout', '1500'], {
      NATS_URL: ports.map((p) => `nats://127.0.0.1:${p}`).join(','),
      NATS_USER: 'sys',
      NATS_PASSWORD: 'secret-that-must-not-print',
    });
    expect(code).toBe(2);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ check: 'cluster_unreachable', severity: 'critical' });
    expect(JSON.stringify(report)).not.toContain('secret-that-must-not-print');
  });
});

describe('a server URL that is no URL', () => {
  const dir = useTempDir();

  it.each([
    ['--servers', 'not a url at all', ['check', '--servers', 'not a url at all'], {}],
    ['NATS_URL', 'nats://127.0.0.1:0', ['check'], { NATS_URL: 'nats://127.0.0.1:4222,nats://127.0.0.1:0' }],
    ['--servers', 'nats://:4222', ['check', '--servers', 'nats://:4222'], {}],
  ] as const)('%s %s: exit 3 naming the place and the entry, and nothing written to state', async (place, entry, args, env) => {
    const state = join(dir, `state-${place}-${entry.length}.json`);
    const result = await runCli([...args, '--state', state], { env: { XDG_STATE_HOME: dir, ...env } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${place}: "${entry}" is not a server URL`);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('bad input', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['no servers', ['check'], {}, /--servers: is required/],
    ['an unknown flag', ['check', '--servres', 'x'], {}, /Unknown option '--servres'/],
    ['a bad timeout', ['check', '--timeout', 'soon'], { NATS_URL: 'nats://127.0.0.1:4222' }, /--timeout: must be a whole number of milliseconds \(got "soon"\)/],
    ['a bad timeout from the environment', ['check'], { NATS_URL: 'nats://127.0.0.1:4222', NATS_AUDIT_TIMEOUT: '-5' }, /NATS_AUDIT_TIMEOUT: must be a whole number/],
    ['an unknown check to skip', ['check', '--skip', 'nope'], { NATS_URL: 'nats://127.0.0.1:4222' }, /--skip: unknown check "nope"/],
    ['a threshold below its minimum', ['check', '--threshold', 'uneven_leader_distribution.ratio=0.5'], { NATS_URL: 'nats://127.0.0.1:4222' }, /uneven_leader_distribution\.ratio must be a number of at least 1/],
    ['two ways to authenticate', ['check', '--token', 'abc', '--user', 'u', '--password', 'p'], { NATS_URL: 'nats://127.0.0.1:4222' }, /conflicts with .*give one way to authenticate/],
    ['a URL with a bad scheme', ['check', '--servers', 'http://127.0.0.1:4222'], {}, /--servers: unsupported scheme "http:\/\/"/],
    ['gather without --out', ['gather', '--servers', 'nats://127.0.0.1:4222'], {}, /--out: is required/],
    ['a missing sample file', ['check', '--sample', '/nonexistent/sample.json'], {}, /\/nonexistent\/sample\.json/],
    ['an unknown command', ['chekc'], {}, /unknown command "chekc"/],
    ['rebalance told both to execute and to dry-run', ['rebalance', '--execute', '--dry-run'], { NATS_URL: 'nats://127.0.0.1:4222' }, /--execute: cannot be combined with --dry-run/],
    ['rebalance with a bad pace', ['rebalance', '--moves-per-second', 'fast'], { NATS_URL: 'nats://127.0.0.1:4222' }, /--moves-per-second: must be a whole number of moves per second \(got "fast"\)/],
    ['rebalance with an unreadable accounts file', ['rebalance', '--accounts', '/nonexistent/accounts.json'], { NATS_URL: 'nats://127.0.0.1:4222' }, /--accounts: cannot read \/nonexistent\/accounts\.json: ENOENT/],
  ];

  it.each(cases)('%s: exit 3, the field and problem named, no stack trace', async (_name, args, env, expected) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('never echoes a password given with a bad value elsewhere', async () => {
    const result = await runCli(['check', '--user', 'sys', '--password', 'hunter2-secret', '--timeout', 'x'], { env: { NATS_URL: 'nats://127.0.0.1:4222' } });
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  });

  it('--help explains every command and flag with its environment variable, exit 0', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('nats-audit check');
    expect(main.stdout).toContain('3 unknown');
    const check = await runCli(['check', '--help']);
    expect(check.code).toBe(0);
    for (const flag of ['--servers', '--user', '--password', '--token', '--nkey', '--creds', '--tls-ca', '--tls-cert', '--tls-key', '--state', '--format', '--expect-servers', '--timeout', '--watch', '--sample']) {
      expect(check.stdout).toContain(flag);
    }
    expect(check.stdout).toContain('[NATS_URL]');
    const catalogue = await runCli(['checks']);
    expect(catalogue.stdout).toContain('uneven_leader_distribution [warning, critical]');
    expect(catalogue.stdout).toContain('uneven_leader_distribution.ratio=1.5');
  });

  it('demo without nats-server says how to install it and exits 3', async () => {
    const result = await runCli(['demo'], { env: { PATH: '/nonexistent', NATS_SERVER_BIN: '/nonexistent/nats-server' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('apt-get install nats-server');
  });
});
