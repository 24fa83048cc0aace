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
 *
 * Or one secret for several clusters (a secret costs $0.40 a month, more
 * than the rest of a cluster's audit): `{ "clusters": { "<cluster name>":
 * <the above>, ... } }`, each entry validated the same way, errors naming
 * `clusters.<name>.<field>`.
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

/**
 * The credentials of `cluster` from a secret's text: the whole secret, or its
 * `clusters.<cluster>` entry when it is shared.
 */
export function parseCredentialsSecret(secretId: string, secretString: string | undefined, cluster?: string): ClusterCredentials {
  if (secretString === undefined) throw new CredentialsSecretError(secretId, 'has no SecretString (binary secrets are not supported)');
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new CredentialsSecretError(secretId, 'is not JSON');
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'clusters' in json) {
    const clusters = (json as { clusters: unknown }).clusters;
    if (typeof clusters !== 'object' || clusters === null || Array.isArray(clusters)) {
      throw new CredentialsSecretError(secretId, 'clusters: expected an object of credentials by cluster name');
    }
    if (Object.keys(json).length > 1) throw new CredentialsSecretError(secretId, 'a secret with "clusters" holds nothing else');
    if (cluster === undefined) throw new CredentialsSecretError(secretId, 'holds several clusters\' credentials; the cluster must be named');
    if (!Object.hasOwn(clusters, cluster)) throw new CredentialsSecretError(secretId, `clusters.${cluster}: is missing`);
    return parseCredentials(secretId, (clusters as Record<string, unknown>)[cluster], `clusters.${cluster}`);
  }
  return parseCredentials(secretId, json, undefined);
}

function parseCredentials(secretId: string, json: unknown, prefix: string | undefined): ClusterCredentials {
  // The first issue, by field: zod's messages never quote the value, and issueText says only what kind it was.
  const problemOf = (error: z.ZodError): string => {
    const issue = error.issues[0]!;
    return `${issuePath(issue.path, prefix)}: ${issue.message}`;
  };
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
