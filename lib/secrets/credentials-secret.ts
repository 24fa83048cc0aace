import * as z from 'zod';
import type { AuthOptions, TlsOptions } from '../sampling/connection-options.js';
import { issuePath, issueText } from '../util/issue-text.js';

/**
 * The Secrets Manager secret that holds a cluster's system-account
 * credentials, as a JSON SecretString:
 *
 *   { "user": "sys", "password": "..." }
 *   { "token": "..." }
 *   { "nkeySeed": "SU..." }
 *   { "creds": "-----BEGIN NATS USER JWT-----\n..." }
 *
 * each optionally with `"tls": { "ca": PEM, "cert": PEM, "key": PEM }`, and
 * with `"accounts": { "APP": { "user": ..., "password": ... } }` for
 * automatic rebalancing.
 */
const tlsSchema = z.strictObject({
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
});

const authSchema = z.union(
  [
    z.strictObject({ user: z.string().min(1), password: z.string().min(1) }),
    z.strictObject({ token: z.string().min(1) }),
    z.strictObject({ nkeySeed: z.string().min(1) }),
    z.strictObject({ creds: z.string().min(1) }),
  ],
  { error: 'expected one of {user, password}, {token}, {nkeySeed} or {creds}' },
);

const credentialsSecretSchema = z.looseObject({
  tls: tlsSchema.optional(),
  /** Users of the accounts owning streams, for automatic rebalancing (step-downs act in the requester's account). */
  accounts: z.record(z.string().min(1), authSchema).optional(),
});

export interface ClusterCredentials {
  readonly auth: AuthOptions;
  readonly tls: TlsOptions;
  /** Per-account users keyed by the account name JSZ reports (in operator mode its name tag or public key); empty unless the secret lists `accounts`. */
  readonly accounts: ReadonlyMap<string, AuthOptions>;
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
  const parsed = credentialsSecretSchema.safeParse(json, { error: issueText });
  if (!parsed.success) throw new CredentialsSecretError(secretId, problemOf(parsed.error));
  const { tls: tlsPem, accounts, ...rest } = parsed.data;
  const tls: TlsOptions = { caPem: tlsPem?.ca, certPem: tlsPem?.cert, keyPem: tlsPem?.key };
  let auth: AuthOptions = {};
  if (Object.keys(rest).length > 0) {
    const system = authSchema.safeParse(rest, { error: issueText });
    if (!system.success) throw new CredentialsSecretError(secretId, problemOf(system.error));
    auth = toAuthOptions(system.data);
  }
  return {
    auth,
    tls,
    accounts: new Map(Object.entries(accounts ?? {}).map(([name, a]) => [name, toAuthOptions(a)])),
  };
}

function toAuthOptions(a: z.infer<typeof authSchema>): AuthOptions {
  if ('user' in a) return { user: a.user, password: a.password };
  if ('token' in a) return { token: a.token };
  if ('nkeySeed' in a) return { nkeySeed: a.nkeySeed };
  return { credsText: a.creds };
}

/** The first issue, by field: zod's messages never quote the value, and issueText says only what kind it was. */
function problemOf(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issuePath(issue.path)}: ${issue.message}`;
}
