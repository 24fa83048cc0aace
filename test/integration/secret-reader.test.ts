import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsSecretError } from '../../lib/secrets/credentials-secret.js';
import { SecretReader } from '../../lib/secrets/secret-reader.js';
import { startSecretsManager, type SecretsManagerServer } from '../support/secrets-manager.js';

describe('SecretReader over the Secrets Manager protocol', () => {
  let sm: SecretsManagerServer;
  beforeAll(async () => {
    sm = await startSecretsManager();
  });
  afterAll(async () => {
    await sm.close();
  });

  it('reads user/password credentials and reuses them until the cache expires', async () => {
    // Prepare
    sm.put('nats/east', JSON.stringify({ user: 'sys', password: 's3cret-pw' }));
    let clock = 1_000;
    const reader = new SecretReader({ client: sm.client, ttlMs: 60_000, now: () => clock });

    // Act
    const first = await reader.read('nats/east');
    await reader.read('nats/east');
    clock += 60_001;
    await reader.read('nats/east');

    // Assess
    expect(first.auth).toEqual({ user: 'sys', password: 's3cret-pw' });
    expect(sm.reads.get('nats/east')).toBe(2);
  });

  it('reads a secret shared by several clusters once for all of them within the cache time', async () => {
    // Prepare
    sm.put('nats/shared', JSON.stringify({ clusters: { a: { user: 'sys-a', password: 'pw-a' }, b: { user: 'sys-b', password: 'pw-b' } } }));
    const reader = new SecretReader({ client: sm.client });

    // Act
    const a = await reader.read('nats/shared', 'a');
    const b = await reader.read('nats/shared', 'b');
    const missing = await reader.read('nats/shared', 'c').catch((e: unknown) => e);

    // Assess
    expect([a.auth, b.auth]).toEqual([
      { user: 'sys-a', password: 'pw-a' },
      { user: 'sys-b', password: 'pw-b' },
    ]);
    expect((missing as Error).message).toBe('credentials secret nats/shared: clusters.c: is missing');
    expect(sm.reads.get('nats/shared')).toBe(1);
  });

  it('reads again after forget, so a rotated secret is picked up', async () => {
    // Prepare
    sm.put('nats/rotated', JSON.stringify({ token: 'old-token' }));
    const reader = new SecretReader({ client: sm.client });
    await reader.read('nats/rotated');
    sm.put('nats/rotated', JSON.stringify({ token: 'new-token' }));

    // Act
    reader.forget('nats/rotated');
    const after = await reader.read('nats/rotated');

    // Assess
    expect(after.auth).toEqual({ token: 'new-token' });
  });

  it('a missing secret is a clear error naming the secret and the service error, not its content', async () => {
    const reader = new SecretReader({ client: sm.client });
    const error = await reader.read('nats/missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect((error as Error).message).toBe('credentials secret nats/missing: cannot be read (ResourceNotFoundException)');
  });

  it('a malformed secret names the problem without echoing the value', async () => {
    // Prepare
    sm.put('nats/bad', JSON.stringify({ user: 'sys', pasword: 'leaky-value' }));
    const reader = new SecretReader({ client: sm.client });

    // Act
    const error = (await reader.read('nats/bad').catch((e: unknown) => e)) as Error;

    // Assess
    expect(error.message).toMatch(/^credentials secret nats\/bad: /);
    expect(error.message).not.toContain('leaky-value');
  });
});
