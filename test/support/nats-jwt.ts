/**
 * Just enough of decentralised auth (nats-io/jwt v2) to run a server in
 * operator mode in a test: nkey pairs, signed operator/account/user JWTs
 * and a `.creds` file, without nsc.
 *
 * What nats-server 2.9.10 (jwt v2.3.0 `Decode`) checks: header typ "JWT"
 * and alg "ed25519-nkey"; `nats.version` 2 so the signature is verified
 * over "<header>.<claims>" (v1 signed the claims only); the signature by
 * the `iss` key; the issuer's key type (operator for accounts, account
 * for users). `jti` is not checked, but is computed as nsc does: base32 of
 * SHA-512/256 over the base claims with an empty `jti`.
 */
import { createHash } from 'node:crypto';
import { nkeys as untypedNkeys } from 'nats';

/** The part of nkeys.js's KeyPair used here (nats re-exports nkeys untyped). */
export interface NkeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(input: Uint8Array): Uint8Array;
}

const nkeys = untypedNkeys as {
  createOperator(): NkeyPair;
  createAccount(): NkeyPair;
  createUser(): NkeyPair;
};

export const createOperatorKey = (): NkeyPair => nkeys.createOperator();
export const createAccountKey = (): NkeyPair => nkeys.createAccount();
export const createUserKey = (): NkeyPair => nkeys.createUser();

/** The seed as text (`SO...`, `SA...`, `SU...`). */
export const seedOf = (kp: NkeyPair): string => new TextDecoder().decode(kp.getSeed());

/** No limit, as jwt v2 writes it: a missing (zero) limit means "none allowed" to the server. */
const NO_LIMIT = -1;

/** Self-signed operator JWT naming the system account. */
export function operatorJwt(operator: NkeyPair, name: string, systemAccount: string): string {
  return signJwt(operator, operator.getPublicKey(), name, { type: 'operator', version: 2, system_account: systemAccount });
}

/**
 * Account JWT signed by the operator, with every limit open (what `nsc add account` writes).
 * `jetstream`: also unlimited JetStream (`nsc edit account --js-mem-storage -1 --js-disk-storage -1
 * --js-streams -1 --js-consumer -1`); the server enables JetStream for an account only when its
 * memory or disk limit is non-zero.
 */
export function accountJwt(operator: NkeyPair, account: NkeyPair, name: string, options: { jetstream?: boolean } = {}): string {
  return signJwt(operator, account.getPublicKey(), name, {
    limits: {
      subs: NO_LIMIT, data: NO_LIMIT, payload: NO_LIMIT,
      imports: NO_LIMIT, exports: NO_LIMIT, wildcards: true, conn: NO_LIMIT, leaf: NO_LIMIT,
      ...(options.jetstream ? { mem_storage: NO_LIMIT, disk_storage: NO_LIMIT, streams: NO_LIMIT, consumer: NO_LIMIT } : {}),
    },
    default_permissions: { pub: {}, sub: {} },
    type: 'account',
    version: 2,
  });
}

/** User JWT signed directly by its account key (no signing key, so no `issuer_account`), allowed to publish and subscribe anywhere. */
export function userJwt(account: NkeyPair, user: NkeyPair, name: string): string {
  return signJwt(account, user.getPublicKey(), name, {
    pub: {}, sub: {}, subs: NO_LIMIT, data: NO_LIMIT, payload: NO_LIMIT,
    type: 'user', version: 2,
  });
}

/** A `.creds` file as `nsc generate creds` writes it. */
export function credsFile(jwt: string, userSeed: string): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${userSeed}
------END USER NKEY SEED------

*************************************************************
`;
}

function signJwt(issuer: NkeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  // Field order of jwt's ClaimsData (aud, exp, jti, iat, iss, name, nbf, sub), empty ones omitted.
  const base = { iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), name, sub: subject };
  const jti = base32(createHash('sha512-256').update(JSON.stringify(base)).digest());
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const claims = base64url(JSON.stringify({ jti, ...base, nats }));
  const signature = issuer.sign(new TextEncoder().encode(`${header}.${claims}`));
  return `${header}.${claims}.${base64url(signature)}`;
}

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** RFC 4648 base32, no padding (Go's `base32.StdEncoding.WithPadding(NoPadding)`). */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}
