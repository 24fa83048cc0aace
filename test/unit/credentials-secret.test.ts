import { describe, expect, it } from 'vitest';
import { CredentialsSecretError, parseCredentialsSecret } from '../../lib/secrets/credentials-secret.js';

describe('parseCredentialsSecret', () => {
  it.each([
    [{ user: 'sys', password: 'pw' }, { user: 'sys', password: 'pw' }],
    [{ token: 't0k' }, { token: 't0k' }],
    [{ nkeySeed: 'SUAB' }, { nkeySeed: 'SUAB' }],
    [{ creds: '-----BEGIN NATS USER JWT-----' }, { credsText: '-----BEGIN NATS USER JWT-----' }],
  ])('maps %o to auth options', (secret, auth) => {
    expect(parseCredentialsSecret('s', JSON.stringify(secret)).auth).toEqual(auth);
  });

  it('reads per-account users for automatic rebalancing', () => {
    const parsed = parseCredentialsSecret('s', JSON.stringify({ user: 'sys', password: 'pw', accounts: { APP: { token: 'app-token' }, ORDERS: { user: 'o', password: 'p' } } }));
    expect([...parsed.accounts]).toEqual([
      ['APP', { token: 'app-token' }],
      ['ORDERS', { user: 'o', password: 'p' }],
    ]);
  });

  it('names a bad account entry without echoing it', () => {
    expect(() => parseCredentialsSecret('s', JSON.stringify({ token: 't', accounts: { APP: { password: 'leaky' } } }))).toThrow(/^credentials secret s: accounts\.APP/);
  });

  it('reads one cluster\'s entry from a secret shared by several clusters', () => {
    // Prepare
    const shared = JSON.stringify({ clusters: { east: { user: 'sys', password: 'pw-east' }, west: { token: 'tok-west', tls: { ca: 'CA' } } } });

    // Act
    const east = parseCredentialsSecret('s', shared, 'east');
    const west = parseCredentialsSecret('s', shared, 'west');

    // Assess
    expect(east.auth).toEqual({ user: 'sys', password: 'pw-east' });
    expect(west).toMatchObject({ auth: { token: 'tok-west' }, tls: { caPem: 'CA' } });
  });

  it.each([
    ['a cluster it does not hold', { clusters: { east: { token: 't' } } }, 'west', 'credentials secret s: clusters.west: is missing'],
    ['an entry validated like a whole secret', { clusters: { west: { token: 'secret-a', password: 'secret-b' } } }, 'west', 'credentials secret s: clusters.west'],
    ['a bad account of an entry', { clusters: { west: { token: 't', accounts: { APP: { password: 'secret-c' } } } } }, 'west', 'credentials secret s: clusters.west.accounts.APP'],
    ['anything beside "clusters"', { clusters: { west: { token: 't' } }, token: 'secret-d' }, 'west', 'credentials secret s: a secret with "clusters" holds nothing else'],
    ['no cluster named', { clusters: { west: { token: 't' } } }, undefined, "credentials secret s: holds several clusters' credentials; the cluster must be named"],
    ['clusters that are not an object', { clusters: ['secret-e'] }, 'west', 'credentials secret s: clusters: expected an object of credentials by cluster name'],
  ])('refuses a shared secret with %s, naming the field, never the value', (_name, secret, cluster, message) => {
    // Act
    let error: unknown;
    try {
      parseCredentialsSecret('s', JSON.stringify(secret), cluster);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toMatch(/secret-[a-e]/);
  });

  it('carries TLS PEM material', () => {
    const parsed = parseCredentialsSecret('s', JSON.stringify({ token: 't', tls: { ca: 'CA', cert: 'C', key: 'K' } }));
    expect(parsed.tls).toEqual({ caPem: 'CA', certPem: 'C', keyPem: 'K' });
  });

  it.each([
    ['not JSON', 'user=sys', 'credentials secret s: is not JSON'],
    ['two ways to authenticate', JSON.stringify({ token: 'secret-a', user: 'u', password: 'secret-b' }), 'credentials secret s: '],
    ['an empty password', JSON.stringify({ user: 'u', password: '' }), 'credentials secret s: '],
    ['no SecretString', undefined, 'credentials secret s: has no SecretString (binary secrets are not supported)'],
  ])('rejects %s without echoing a value', (_name, text, prefix) => {
    // Act
    let error: unknown;
    try {
      parseCredentialsSecret('s', text);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect((error as Error).message.startsWith(prefix)).toBe(true);
    expect((error as Error).message).not.toMatch(/secret-a|secret-b|user=sys/);
  });

  it.each([
    ['an unknown TLS field', { token: 't', tls: { ca: 'CA', pem: 'x' } }, 'credentials secret s: tls: unknown field "pem"'],
    ['a number for a password', { user: 'u', password: 12345 }, 'credentials secret s: (root): expected one of {user, password}, {token}, {nkeySeed} or {creds}'],
    ['an account that is a string', { token: 't', accounts: { APP: 'leaky-pw' } }, 'credentials secret s: accounts.APP: expected one of {user, password}, {token}, {nkeySeed} or {creds}'],
    ['an odd account name', { token: 't', accounts: { 'my app\n': 'leaky-pw' } }, 'credentials secret s: accounts["my app\\n"]: expected one of {user, password}, {token}, {nkeySeed} or {creds}'],
  ])('says what is wrong with %s in its own words, echoing no value', (_name, secret, message) => {
    // Act
    let error: unknown;
    try {
      parseCredentialsSecret('s', JSON.stringify(secret));
    } catch (e) {
      error = e;
    }

    // Assess
    expect((error as CredentialsSecretError).message).toBe(message);
  });
});
