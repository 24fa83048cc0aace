/**
 * gather() against single TLS servers (certificates made with openssl for
 * 127.0.0.1): server verification is on by default, and every way TLS can
 * fail ends as a vantage error of kind 'tls'.
 */
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { gather } from '../../lib/sampling/gather.js';
import type { RawVantage } from '../../lib/domain/raw-sample.js';
import { useTempDir } from '../support/cli.js';
import { useSingleServer, type SingleServer } from '../support/single-server.js';
import { certFactory } from '../support/test-certs.js';

const PASSWORD = 'tls-sys-Pa55word';

const { f, makeCa, makeLeaf } = certFactory(useTempDir('nats-audit-tls-'));

// Runs before the servers below start (hooks run in order), so their configs can name the files.
beforeAll(async () => {
  makeCa('good');
  makeCa('other');
  await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await writeFile(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  makeLeaf('good', 'server', 'server.ext');
  makeLeaf('good', 'client', 'client.ext');
  await writeFile(f('wrongname.ext'), 'subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n');
  makeLeaf('good', 'wrongname', 'wrongname.ext');
}, 60_000);

function serverWith(name: string, tlsBlock: () => string): () => SingleServer {
  return useSingleServer(
    ({ port }) => `listen: 127.0.0.1:${port}
server_name: ${name}
${tlsBlock()}
accounts { SYS: { users: [{ user: sys, password: "${PASSWORD}" }] } }
system_account: SYS
`,
    { label: name },
  );
}

const serverTls = (): string => `cert_file: "${f('server.pem')}"\n  key_file: "${f('server.key')}"`;
const tlsServer1 = serverWith('tls1', () => `tls {\n  ${serverTls()}\n}`);
const mtlsServer = serverWith('mtls1', () => `tls {\n  ${serverTls()}\n  ca_file: "${f('good-ca.pem')}"\n  verify: true\n}`);
const plainServer = serverWith('plain1', () => '');
const wrongNameServer = serverWith('wrong1', () => `tls {\n  cert_file: "${f('wrongname.pem')}"\n  key_file: "${f('wrongname.key')}"\n}`);

let tlsUrl: string;
let mtlsUrl: string;
let plainUrl: string;
let wrongNameUrl: string;

beforeAll(() => {
  tlsUrl = tlsServer1().url;
  mtlsUrl = mtlsServer().url;
  plainUrl = plainServer().url;
  wrongNameUrl = wrongNameServer().url;
});

const auth = { user: 'sys', password: PASSWORD };

function only(vantages: readonly RawVantage[]): RawVantage {
  expect(vantages).toHaveLength(1);
  return vantages[0]!;
}

describe('gather over TLS', () => {
  it('connects when the server certificate verifies against --tls-ca', async () => {
    // Act
    const sample = await gather({ servers: [tlsUrl], auth, tls: { caFile: f('good-ca.pem') }, expectServers: 1, timeoutMs: 5000 });
    // Assess
    const v = only(sample.vantages);
    expect(v.error).toBeUndefined();
    expect(v).toMatchObject({ connected: true, serverName: 'tls1' });
    expect(v.requests.find((r) => r.endpoint === 'ROUTEZ')?.ended).toBe('all-expected');
  });

  it('verifies the server by default: a private CA without --tls-ca is a tls error', async () => {
    // Act
    const sample = await gather({ servers: [tlsUrl], auth, timeoutMs: 5000 });
    // Assess
    const v = only(sample.vantages);
    expect(v.error?.kind).toBe('tls');
    expect(v.error?.message).not.toContain(PASSWORD);
  });

  it('still checks the name: a trusted certificate for another host is a tls error', async () => {
    // Act
    const sample = await gather({ servers: [wrongNameUrl], auth, tls: { caFile: f('good-ca.pem') }, timeoutMs: 5000 });
    // Assess
    const v = only(sample.vantages);
    expect(v.error?.kind).toBe('tls');
    expect(v.error?.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(v.error?.message).toContain('127.0.0.1');
  });

  it('a certificate from another CA is a tls error', async () => {
    const sample = await gather({ servers: [tlsUrl], auth, tls: { caFile: f('other-ca.pem') }, timeoutMs: 5000 });
    expect(only(sample.vantages).error?.kind).toBe('tls');
  });

  it('mutual TLS: the client certificate is presented when given', async () => {
    // Act
    const sample = await gather({
      servers: [mtlsUrl],
      auth,
      tls: { caFile: f('good-ca.pem'), certFile: f('client.pem'), keyFile: f('client.key') },
      expectServers: 1,
      timeoutMs: 5000,
    });
    // Assess
    expect(only(sample.vantages)).toMatchObject({ connected: true, serverName: 'mtls1' });
  });

  it('mutual TLS without a client certificate fails fast with a hint, every time', async () => {
    // Act
    const sample = await gather({ servers: [mtlsUrl], auth, tls: { caFile: f('good-ca.pem') }, timeoutMs: 5000 });
    // Assess
    const v = only(sample.vantages);
    expect(v.connected).toBe(false);
    expect(v.error?.kind).toBe('tls');
    expect(v.error?.message).toMatch(/^nats:\/\/127\.0\.0\.1:\d+: the server requires a client certificate \(verify: true\); give --tls-cert and --tls-key$/);
  });

  it('mutual TLS with a client certificate the server does not trust is a tls error', async () => {
    // Prepare: a client certificate signed by a CA the server does not know.
    await writeFile(f('stranger.ext'), 'extendedKeyUsage=clientAuth\n');
    makeLeaf('other', 'stranger', 'stranger.ext');
    // Act
    const sample = await gather({
      servers: [mtlsUrl],
      auth,
      tls: { caFile: f('good-ca.pem'), certFile: f('stranger.pem'), keyFile: f('stranger.key') },
      timeoutMs: 5000,
    });
    // Assess: TLS 1.3 reports the refusal as an alert or as a reset; both must read as tls.
    const v = only(sample.vantages);
    expect(v.error?.kind).toBe('tls');
    expect(v.error?.message).not.toContain('\n');
  });

  it('tls:// to a server without TLS is a tls error', async () => {
    const sample = await gather({ servers: [plainUrl.replace('nats://', 'tls://')], auth, timeoutMs: 5000 });
    expect(only(sample.vantages)).toMatchObject({ connected: false, error: { kind: 'tls' } });
  });
});
