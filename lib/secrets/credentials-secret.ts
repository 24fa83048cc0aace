import { z } from 'zod';
import type { AuthOptions, TlsOptions } from '../sampling/connection-options.js';

/**
 * The Secrets Manager secret that holds a cluster's system-account
 * credentials, as a JSON SecretString:
 *
 *   { "user": "sys", "password": "..." }
 *   { "token": "..." }
 *   { "nkeySeed": "SU..." }
 *   { "creds": "-----BEGIN NATS USER JWT-----\n..." }
 *
 * each optionally with `"tls": { "ca": PEM, "cert": PEM, "key": PEM }`.
 */
const tlsSchema = z.strictObject({
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
});

const credentialsSecretSchema = z.union(
  [
    z.strictObject({ user: z.string().min(1), password: z.string().min(1), tls: tlsSchema.optional() }),
    z.strictObject({ token: z.string().min(1), tls: tlsSchema.optional() }),
    z.strictObject({ nkeySeed: z.string().min(1), tls: tlsSchema.optional() }),
    z.strictObject({ creds: z.string().min(1), tls: tlsSchema.optional() }),
    z.strictObject({ tls: tlsSchema }),
  ],
  { error: 'expected one of {user, password}, {token}, {nkeySeed} or {creds}, each with optional {tls: {ca, cert, key}}' },
);

export interface ClusterCredentials {
  readonly auth: AuthOptions;
  readonly tls: TlsOptions;
}

/** The secret exists but cannot be used; the message names the field, never a value. */
export class CredentialsSecretError extends Error {
  override readonly name = 'CredentialsSecretError';
  constructor(
    readonly secretId: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`credentials secret ${secretId}: ${problem}`, options);
  }
}

export function parseCredentialsSecret(secretId: string, secretString: string | undefined): ClusterCredentials {
  if (secretString === undefined) throw new CredentialsSecretError(secretId, 'has no SecretString (binary secrets are not supported)');
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new CredentialsSecretError(secretId, 'is not JSON');
  }
  const parsed = credentialsSecretSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CredentialsSecretError(secretId, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const secret = parsed.data;
  const tls: TlsOptions = { caPem: secret.tls?.ca, certPem: secret.tls?.cert, keyPem: secret.tls?.key };
  if ('user' in secret) return { auth: { user: secret.user, password: secret.password }, tls };
  if ('token' in secret) return { auth: { token: secret.token }, tls };
  if ('nkeySeed' in secret) return { auth: { nkeySeed: secret.nkeySeed }, tls };
  if ('creds' in secret) return { auth: { credsText: secret.creds }, tls };
  return { auth: {}, tls };
}
