/**
 * `nats-audit check` through every way it can authenticate, against single
 * real nats-server 2.9.10 processes with JetStream and a system account:
 * the right system-account credentials get a report naming the server, the
 * wrong ones exit 3 (UNKNOWN) with a message that says why, and no secret
 * is ever printed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkJson, runCli, useTempDir, type CliResult } from '../support/cli.js';
import { accountJwt, createAccountKey, createOperatorKey, createUserKey, credsFile, operatorJwt, seedOf, userJwt } from '../support/nats-jwt.js';
import { useSingleServer, type SingleServer, type SingleServerPlace } from '../support/single-server.js';
import { certFactory } from '../support/test-certs.js';

/** A stack trace line as node prints them. */
const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;
/** What the CLI says when every server refused the credentials (it lists every auth flag, not the one used). */
const AUTH_REFUSED = /^nats-audit check: authorization refused by nats:\/\/127\.0\.0\.1:\d+: check the system account credentials/;
/** One server: stop PINGs at its answer instead of the deadline. */
const ONE_SERVER = ['--expect-servers', '1', '--timeout', '2000'];

const dir = useTempDir('nats-audit-auth-');

/** A JetStream server named `name` with `auth` (accounts, system_account, ...) appended. */
function jetStreamServer(name: string, auth: () => string): () => SingleServer {
  return useSingleServer(
    ({ port, dir: serverDir }: SingleServerPlace) => `listen: 127.0.0.1:${port}
server_name: ${name}
jetstream { store_dir: "${join(serverDir, 'js')}" }
${auth()}
`,
    { label: name },
  );
}

async function secretFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

/** The check ran: a report (0 ok or 1 warning: a lone JetStream server is fine) that lists the server. */
async function expectAudited(args: readonly string[], env: Record<string, string>, serverName: string): Promise<string> {
  const { code, report, stderr } = await checkJson([...args, ...ONE_SERVER], env);
  expect([0, 1], `exit ${code}, stderr: ${stderr}`).toContain(code);
  expect(report.servers.map((s) => s.name)).toEqual([serverName]);
  return JSON.stringify(report) + stderr;
}

/** The check could not run: exit 3 with `message` on stderr, no stack trace, nothing on stdout. */
async function expectUnknown(args: readonly string[], env: Record<string, string>, message: RegExp): Promise<CliResult> {
  const result = await runCli(['check', ...args, ...ONE_SERVER], { env });
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(STACK_LINE);
  expect(result.stdout).toBe('');
  return result;
}

describe('--nkey', () => {
  const user = createUserKey();
  const server = jetStreamServer('auth-nkey', () => `accounts { SYS: { users: [{ nkey: ${user.getPublicKey()} }] } }\nsystem_account: SYS`);

  it('a seed file of a system-account user runs the check; the seed is never printed', async () => {
    const seed = seedOf(user);
    const file = await secretFile('user.nk', `${seed}\n`);
    const output = await expectAudited(['--servers', server().url, '--nkey', file], {}, 'auth-nkey');
    expect(output).not.toContain(seed);
  });

  it('the seed of another nkey is refused: exit 3, authorization refused', async () => {
    const seed = seedOf(createUserKey());
    const file = await secretFile('stranger.nk', `${seed}\n`);
    const result = await expectUnknown(['--servers', server().url, '--nkey', file], {}, AUTH_REFUSED);
    expect(result.stderr).not.toContain(seed);
  });
});

describe('--creds (operator mode, JWTs from a memory resolver)', () => {
  const operator = createOperatorKey();
  const sysAccount = createAccountKey();
  const user = createUserKey();
  const server = jetStreamServer(
    'auth-jwt',
    () => `operator: "${operatorJwt(operator, 'test-operator', sysAccount.getPublicKey())}"
system_account: ${sysAccount.getPublicKey()}
resolver: MEMORY
resolver_preload: { ${sysAccount.getPublicKey()}: "${accountJwt(operator, sysAccount, 'SYS')}" }`,
  );

  it('a creds file of a system-account user runs the check; neither seed nor JWT is printed', async () => {
    const jwt = userJwt(sysAccount, user, 'auditor');
    const seed = seedOf(user);
    const file = await secretFile('auditor.creds', credsFile(jwt, seed));
    const output = await expectAudited(['--servers', server().url, '--creds', file], {}, 'auth-jwt');
    expect(output).not.toContain(seed);
    expect(output).not.toContain(jwt);
  });

  it('a creds file with a garbage JWT is refused: exit 3, authorization refused', async () => {
    const garbage = 'eyJnYXJiYWdlIjp0cnVlfQ.Z2FyYmFnZQ.Z2FyYmFnZQ';
    const seed = seedOf(user);
    const file = await secretFile('garbage.creds', credsFile(garbage, seed));
    const result = await expectUnknown(['--servers', server().url, '--creds', file], {}, AUTH_REFUSED);
    expect(result.stderr).not.toContain(seed);
    expect(result.stderr).not.toContain(garbage);
  });
});

describe('--token', () => {
  const token = 'tok-7c1e55f0a9b24d31';

  describe('the usual setup: the token user lands in the global account, not the system account', () => {
    // 2.9 refuses a token next to users in accounts{} ("Can not have a token and
    // accounts"), so SYS has no users here and nobody can reach it.
    const server = jetStreamServer('auth-token', () => `authorization { token: "${token}" }\naccounts { SYS: {} }\nsystem_account: SYS`);

    it('exits 3 and says the user is not in the system account; the token is never printed', async () => {
      const result = await expectUnknown(['--servers', server().url], { NATS_TOKEN: token }, /^nats-audit check: connected, but no server answered \$SYS\.REQ\.SERVER\.PING\.JSZ: the user is not in the system account/);
      expect(result.stderr).not.toContain(token);
    });
  });

  describe('the global account as the system account (system_account: $G)', () => {
    // A token can reach the system account when the system account is $G. With
    // JetStream that only starts if $G itself is not JetStream-enabled, which
    // another account with `jetstream: enabled` achieves (server.go refuses
    // JetStream on the system account: "jetstream can not be enabled on the
    // system account").
    const server = jetStreamServer('auth-token-g', () => `authorization { token: "${token}" }\naccounts { APP: { jetstream: enabled } }\nsystem_account: "$G"`);

    it('the token runs the check; it is never printed', async () => {
      const output = await expectAudited(['--servers', server().url, '--token', token], {}, 'auth-token-g');
      expect(output).not.toContain(token);
    });

    it('a wrong token is refused: exit 3, authorization refused', async () => {
      const wrong = 'tok-wrong-0d8e3b7a';
      const result = await expectUnknown(['--servers', server().url], { NATS_TOKEN: wrong }, AUTH_REFUSED);
      expect(result.stderr).not.toContain(wrong);
    });
  });
});

describe('--tls-ca through the CLI', () => {
  const { f, makeCa, makeLeaf } = certFactory(dir);
  const password = 'tls-auth-Pa55word';
  beforeAll(async () => {
    makeCa('good');
    makeCa('other');
    await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    makeLeaf('good', 'server', 'server.ext');
  }, 60_000);
  const server = jetStreamServer(
    'auth-tls',
    () => `tls { cert_file: "${f('server.pem')}", key_file: "${f('server.key')}" }
accounts { SYS: { users: [{ user: sys, password: "${password}" }] } }
system_account: SYS`,
  );
  const env = (): Record<string, string> => ({ NATS_URL: server().url, NATS_USER: 'sys', NATS_PASSWORD: password });

  it('a CA that signed the server certificate runs the check', async () => {
    await expectAudited(['--tls-ca', f('good-ca.pem')], env(), 'auth-tls');
  });

  it('a CA that did not sign it: a critical cluster_unreachable naming TLS and the URL, no stack trace', async () => {
    // The auditor cannot tell its own wrong CA from a server that changed
    // certificates (which every client would trip on), so this reads as the
    // cluster being unreachable, not as exit 3.
    const url = server().url;
    const { code, report, stderr } = await checkJson(['--tls-ca', f('other-ca.pem'), ...ONE_SERVER], env());
    expect(code).toBe(2);
    expect(report.servers).toEqual([]);
    expect(report.findings).toMatchObject([{ check: 'cluster_unreachable', severity: 'critical', details: { failedVantages: [{ url }] } }]);
    const { failedVantages: vantages } = report.findings[0]!.details as { failedVantages: { error: string }[] };
    expect(vantages[0]!.error).toMatch(new RegExp(`^tls: ${url.replace(/\./g, '\\.')}: TLS failed \\(.*UNABLE_TO_VERIFY_LEAF_SIGNATURE\\)$`));
    expect(stderr).toBe('');
    expect(JSON.stringify(report)).not.toContain(password);
  });
});
