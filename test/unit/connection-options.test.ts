import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inMemoryAuthSecrets,
  ConnectionOptionsError,
  buildConnectionOptions,
  loadConnectionSecrets,
  parseServerUrl,
  redactSecrets,
  sanitizeUrl,
  toNatsConnectionOptions,
} from '../../lib/sampling/connection-options.js';
import { isLoopbackHost } from '../../lib/sampling/server-url.js';

const TUNING = { name: 'nats-audit-test', timeoutMs: 1500 };
const PASSWORD = 's3cr3t-P@ss/word';
const TOKEN = 'tok-9f8e7d6c5b4a';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nats-audit-connopts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every message, name and cause message in the error chain, as one string. */
function everyText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  while (e instanceof Error) {
    parts.push(e.name, e.message, String(e.stack ?? ''));
    e = e.cause;
  }
  return parts.join('\n');
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('sanitizeUrl', () => {
  it.each([
    ['nats://user:pass@127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['tls://token@nats.example.com:4443', 'tls://nats.example.com:4443'],
    ['user:pass@host:4222', 'host:4222'],
    [`nats://a:${PASSWORD}@h:1`, 'nats://h:1'],
    ['nats://u:p%40ss@[::1]:4222', 'nats://[::1]:4222'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['  host  ', 'host'],
  ])('%s -> %s', (input, expected) => {
    // Act
    const out = sanitizeUrl(input);
    // Assess
    expect(out).toBe(expected);
  });
});

describe('parseServerUrl', () => {
  it('splits user info off and defaults the port', () => {
    // Act
    const p = parseServerUrl('nats://alice:pw%3Ax@localhost');
    // Assess
    expect(p).toEqual({
      scheme: 'nats',
      hostname: 'localhost',
      port: 4222,
      sanitized: 'nats://localhost:4222',
      user: 'alice',
      password: 'pw:x',
    });
  });

  it('keeps a numeric password out of the port (nats.js would read it as the port)', () => {
    // Act
    const p = parseServerUrl('nats://u:1234@127.0.0.1:5222');
    // Assess
    expect(p.port).toBe(5222);
    expect(p.password).toBe('1234');
  });

  it('handles bracketed IPv6 and tls://', () => {
    expect(parseServerUrl('tls://[::1]:7422')).toMatchObject({ scheme: 'tls', hostname: '::1', sanitized: 'tls://[::1]:7422' });
  });

  it('rejects other schemes naming --server, without the password', () => {
    // Act
    const err = (() => {
      try {
        parseServerUrl(`ws://u:${PASSWORD}@h:80`);
      } catch (e) {
        return e as Error;
      }
      throw new Error('no throw');
    })();
    // Assess
    expect(err).toBeInstanceOf(ConnectionOptionsError);
    expect((err as ConnectionOptionsError).problem).toBe('unsupported scheme "ws://" in ws://h:80 (use nats:// or tls://)');
    expect(err.message).toBe('--servers: unsupported scheme "ws://" in ws://h:80 (use nats:// or tls://)');
    expect(everyText(err)).not.toContain(PASSWORD);
  });
});

describe('toNatsConnectionOptions', () => {
  it('pins the connection to the one server, no reconnects, no gossip', async () => {
    // Act
    const opts = await toNatsConnectionOptions('nats://127.0.0.1:4333', { user: 'sys', password: PASSWORD }, undefined, TUNING);
    // Assess
    expect(opts).toMatchObject({
      servers: ['nats://127.0.0.1:4333'],
      name: 'nats-audit-test',
      timeout: 1500,
      reconnect: false,
      maxReconnectAttempts: 0,
      noRandomize: true,
      ignoreClusterUpdates: true,
      user: 'sys',
      pass: PASSWORD,
    });
    expect(opts.tls).toBeUndefined();
  });

  it('uses URL credentials when no auth flag is set, and strips them from the URL nats.js sees', async () => {
    // Act
    const withPw = await toNatsConnectionOptions(`nats://sys:${encodeURIComponent(PASSWORD)}@h:4222`, undefined, undefined, TUNING);
    const withToken = await toNatsConnectionOptions(`nats://${TOKEN}@h:4222`, {}, undefined, TUNING);
    // Assess
    expect(withPw).toMatchObject({ servers: ['nats://h:4222'], user: 'sys', pass: PASSWORD });
    expect(withToken).toMatchObject({ servers: ['nats://h:4222'], token: TOKEN });
  });

  it('refuses URL credentials combined with an auth flag, without echoing either secret', async () => {
    // Act
    const err = await rejection(toNatsConnectionOptions(`nats://u:${PASSWORD}@h:4222`, { token: TOKEN }, undefined, TUNING));
    // Assess
    expect(err.message).toBe('--servers: nats://h:4222 carries credentials in the URL and other auth flags are set too; use one');
    expect(everyText(err)).not.toContain(PASSWORD);
    expect(everyText(err)).not.toContain(TOKEN);
  });

  it('tls:// asks for TLS even without TLS files', async () => {
    const tls = (await toNatsConnectionOptions('tls://h:4443', undefined, undefined, TUNING)).tls;
    expect(tls).toEqual({ checkServerIdentity: expect.any(Function) });
  });

  it('names --nkey and the path when the seed file is missing', async () => {
    // Act
    const err = await rejection(toNatsConnectionOptions('h', { nkeySeedFile: join(dir, 'nope.nk') }, undefined, TUNING));
    // Assess
    expect(err).toBeInstanceOf(ConnectionOptionsError);
    expect(err.message).toBe(`--nkey: cannot read ${join(dir, 'nope.nk')}: ENOENT`);
  });

  it('names --nkey for a file without a valid seed, and never prints the content', async () => {
    // Prepare: a seed with a broken checksum looks like a seed but is not one.
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    const broken = `${seed.slice(0, -2)}${seed.endsWith('AA') ? 'BB' : 'AA'}`;
    const file = join(dir, 'bad.nk');
    await writeFile(file, `${broken}\n`);
    // Act
    const err = await rejection(toNatsConnectionOptions('h', { nkeySeedFile: file }, undefined, TUNING));
    // Assess
    expect(err.message).toBe(`--nkey: ${file} holds no valid nkey seed`);
    expect(everyText(err)).not.toContain(broken);
  });

  it('accepts a valid seed file and builds an authenticator', async () => {
    // Prepare
    const kp = nkeys.createUser();
    const file = join(dir, 'good.nk');
    await writeFile(file, `# user seed\n${new TextDecoder().decode(kp.getSeed())}\n`);
    // Act
    const opts = await toNatsConnectionOptions('h', { nkeySeedFile: file }, undefined, TUNING);
    // Assess
    const auth = opts.authenticator;
    expect(typeof auth).toBe('function');
    expect((auth as (nonce?: string) => unknown)('nonce')).toMatchObject({ nkey: kp.getPublicKey() });
  });

  it('names --creds for a file that is not a creds file, without its content', async () => {
    // Prepare
    const file = join(dir, 'bad.creds');
    const content = `this is not a creds file ${PASSWORD}`;
    await writeFile(file, content);
    // Act
    const err = await rejection(toNatsConnectionOptions('h', { credsFile: file }, undefined, TUNING));
    // Assess
    expect(err.message).toBe(
      `--creds: ${file} is not a NATS credentials file (needs a user JWT block and a valid seed block)`,
    );
    expect(everyText(err)).not.toContain(PASSWORD);
  });

  it('accepts a creds file and lists its seed and JWT as secrets to redact', async () => {
    // Prepare
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    const file = join(dir, 'good.creds');
    await writeFile(
      file,
      [
        '-----BEGIN NATS USER JWT-----',
        'eyJhbGciOiJlZDI1NTE5LW5rZXkiLCJ0eXAiOiJKV1QifQ.e30.c2ln',
        '------END NATS USER JWT------',
        '',
        '-----BEGIN USER NKEY SEED-----',
        seed,
        '------END USER NKEY SEED------',
        '',
      ].join('\n'),
    );
    // Act
    const loaded = await loadConnectionSecrets({ credsFile: file }, undefined);
    // Assess
    expect(typeof loaded.auth.authenticator).toBe('function');
    expect(loaded.secrets).toContain(seed);
    expect(loaded.secrets).toContain('eyJhbGciOiJlZDI1NTE5LW5rZXkiLCJ0eXAiOiJKV1QifQ.e30.c2ln');
  });

  it('names --creds when the creds file is missing', async () => {
    const err = await rejection(toNatsConnectionOptions('h', { credsFile: '/nonexistent/x.creds' }, undefined, TUNING));
    expect(err.message).toBe('--creds: cannot read /nonexistent/x.creds: ENOENT');
  });

  it('names the TLS flag whose file is missing or not PEM', async () => {
    // Prepare
    const notPem = join(dir, 'not.pem');
    await writeFile(notPem, 'hello');
    // Act
    const missingCa = await rejection(toNatsConnectionOptions('h', undefined, { caFile: join(dir, 'ca.pem') }, TUNING));
    const badCa = await rejection(toNatsConnectionOptions('h', undefined, { caFile: notPem }, TUNING));
    const certOnly = await rejection(toNatsConnectionOptions('h', undefined, { certFile: notPem }, TUNING));
    // Assess
    expect(missingCa.message).toBe(`--tls-ca: cannot read ${join(dir, 'ca.pem')}: ENOENT`);
    expect(badCa.message).toBe(`--tls-ca: ${notPem} is not a PEM file with a CERTIFICATE block`);
    expect(certOnly.message).toBe('--tls-key: required with --tls-cert');
  });

  it('passes PEM contents so nats.js never reads files behind our back', async () => {
    // Prepare
    const ca = join(dir, 'ca-ok.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    // Act
    const opts = await toNatsConnectionOptions('h', undefined, { caFile: ca }, TUNING);
    // Assess
    expect(opts.tls).toEqual({
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      checkServerIdentity: expect.any(Function),
    });
  });

  it('rejects two auth methods at once (flags parsed at runtime can combine)', async () => {
    // Act
    const err = await rejection(
      loadConnectionSecrets({ user: 'u', password: PASSWORD, token: TOKEN } as never, undefined),
    );
    // Assess
    expect(err.message).toBe('--user: give only one of --user/--password, --token, --nkey, --creds');
    expect(everyText(err)).not.toContain(PASSWORD);
    expect(everyText(err)).not.toContain(TOKEN);
  });

  it('a missing password names --password, not the user', async () => {
    const err = await rejection(loadConnectionSecrets({ user: 'sys' } as never, undefined));
    expect(err.message).toBe('--password: required with --user');
  });

  it('buildConnectionOptions never lets a bad URL message carry the password', () => {
    // Act
    let err: unknown;
    try {
      buildConnectionOptions(`nats://u:${PASSWORD}@host:99999`, { auth: {}, explicitAuth: false, secrets: [] }, TUNING);
    } catch (e) {
      err = e;
    }
    // Assess
    expect((err as Error).message).toBe('--servers: "nats://host:99999" is not a server URL: the port must be within 1-65535');
    expect(everyText(err)).not.toContain(PASSWORD);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence and ignores trivially short secrets', () => {
    expect(redactSecrets(`a ${PASSWORD} b ${PASSWORD}`, [PASSWORD])).toBe('a *** b ***');
    expect(redactSecrets('keep', [''])).toBe('keep');
  });
});

describe('inMemoryAuthSecrets', () => {
  it('lists the password, token or seed given in memory', () => {
    expect(inMemoryAuthSecrets({ user: 'sys', password: 'pw-secret' })).toEqual(['pw-secret']);
    expect(inMemoryAuthSecrets({ token: 'tok-secret' })).toEqual(['tok-secret']);
    expect(inMemoryAuthSecrets({ nkeySeed: 'SUAB-seed' })).toEqual(['SUAB-seed']);
    expect(inMemoryAuthSecrets({})).toEqual([]);
  });

  it("lists a creds file's seed and user JWT, not its banner lines", () => {
    // Prepare
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    const jwt = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJVQSJ9.c2lnbmF0dXJl';
    const creds = `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n************************* IMPORTANT *************************\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;

    // Act
    const secrets = inMemoryAuthSecrets({ credsText: creds });

    // Assess
    expect(secrets.sort()).toEqual([jwt, seed].sort());
  });
});

describe('isLoopbackHost', () => {
  it('knows this machine by localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127 addresses, as parsed from URLs', () => {
    const loopback = ['nats://localhost:4222', 'LOCALHOST', 'localhost.', '127.0.0.1', 'nats://127.1.2.3:4222', 'nats://[::1]:4222', '[0:0:0:0:0:0:0:1]', '[::ffff:127.0.0.1]:4222'];
    for (const url of loopback) expect(isLoopbackHost(parseServerUrl(url).hostname), url).toBe(true);
  });

  it('takes every other host as remote, names never resolved', () => {
    const remote = ['nats.example.com', '10.0.0.1', '128.0.0.1', '0.0.0.0', '[::]', '[::ffff:10.0.0.1]', '[fe80::1]', 'localhost-1', 'mylocalhost'];
    for (const url of remote) expect(isLoopbackHost(parseServerUrl(url).hostname), url).toBe(false);
  });
});
