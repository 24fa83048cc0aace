/**
 * Turns the operator's connection flags into nats.js options for one server.
 *
 * Secrets (passwords, tokens, seeds, creds) only ever live in the returned
 * options object; every error this module throws is built from fixed text,
 * flag names and file paths, never from a secret or a file's content.
 */
import { readFile } from 'node:fs/promises';
import { checkServerIdentity } from 'node:tls';
import { credsAuthenticator, nkeyAuthenticator, nkeys, type ConnectionOptions } from 'nats';
import { CONNECTION_FLAGS, ConnectionOptionsError } from './connection-flags.js';
import { parseServerUrl } from './server-url.js';

export { CONNECTION_FLAGS, ConnectionOptionsError } from './connection-flags.js';
export { parseServerUrl, sanitizeUrl, type ParsedServerUrl } from './server-url.js';


interface NoOtherAuth {
  readonly user?: never;
  readonly password?: never;
  readonly token?: never;
  readonly nkeySeedFile?: never;
  readonly credsFile?: never;
  readonly nkeySeed?: never;
  readonly credsText?: never;
}

export type UserPasswordAuth = Omit<NoOtherAuth, 'user' | 'password'> & {
  readonly user: string;
  readonly password: string;
};
export type TokenAuth = Omit<NoOtherAuth, 'token'> & { readonly token: string };
/** A file holding a user nkey seed (`SU...`), as `nsc` or `nk -gen user` writes it. */
export type NkeyAuth = Omit<NoOtherAuth, 'nkeySeedFile'> & { readonly nkeySeedFile: string };
/** A decentralised-auth `.creds` file (user JWT plus seed). */
export type CredsAuth = Omit<NoOtherAuth, 'credsFile'> & { readonly credsFile: string };
export type NoAuth = NoOtherAuth;
/** A user nkey seed held in memory (from a secrets store rather than a file). */
export type NkeySeedAuth = Omit<NoOtherAuth, 'nkeySeed'> & { readonly nkeySeed: string };
/** A `.creds` file's content held in memory. */
export type CredsTextAuth = Omit<NoOtherAuth, 'credsText'> & { readonly credsText: string };

/** Exactly one way to authenticate, or none (credentials may then come from the URL). */
export type AuthOptions = UserPasswordAuth | TokenAuth | NkeyAuth | CredsAuth | NkeySeedAuth | CredsTextAuth | NoAuth;

/**
 * Client-side TLS files. Server certificates are always verified (against
 * `caFile` when given, else the system store); there is deliberately no
 * switch to turn that off.
 */
export interface TlsOptions {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** PEM held in memory, used instead of the file of the same role. */
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
}

export interface ConnectionTuning {
  /** Connection name shown in the server's CONNZ. */
  readonly name: string;
  /** Budget for TCP connect, TLS and the CONNECT/PONG handshake. */
  readonly timeoutMs: number;
}

/** Secrets and file contents read once per gather and reused for every server. */
export interface LoadedConnectionSecrets {
  readonly auth: Pick<ConnectionOptions, 'user' | 'pass' | 'token' | 'authenticator'>;
  /** Whether the operator gave explicit auth (URL user info is then an error). */
  readonly explicitAuth: boolean;
  readonly tls?: { ca?: string; cert?: string; key?: string };
  /** Literal secret strings to scrub from any text that might echo them. */
  readonly secrets: readonly string[];
}

/** Reads and validates the auth and TLS files. Throws {@link ConnectionOptionsError}. */
export async function loadConnectionSecrets(
  auth: AuthOptions | undefined,
  tls: TlsOptions | undefined,
): Promise<LoadedConnectionSecrets> {
  const a = auth ?? {};
  const given = [a.user !== undefined || a.password !== undefined, a.token, a.nkeySeedFile, a.credsFile, a.nkeySeed, a.credsText].filter(
    (x) => x !== undefined && x !== false,
  );
  if (given.length > 1) {
    // The type forbids this, but flags parsed at runtime can still combine.
    throw new ConnectionOptionsError(
      CONNECTION_FLAGS.user,
      `give only one of ${CONNECTION_FLAGS.user}/${CONNECTION_FLAGS.password}, ${CONNECTION_FLAGS.token}, ${CONNECTION_FLAGS.nkey}, ${CONNECTION_FLAGS.creds}`,
    );
  }
  const loadedTls = await loadTls(tls);
  const withTls = <T extends object>(x: T) => (loadedTls === undefined ? x : { ...x, tls: loadedTls });

  if (a.user !== undefined || a.password !== undefined) {
    if (!a.user) throw new ConnectionOptionsError(CONNECTION_FLAGS.user, `required with ${CONNECTION_FLAGS.password}`);
    if (a.password === undefined) {
      throw new ConnectionOptionsError(CONNECTION_FLAGS.password, `required with ${CONNECTION_FLAGS.user}`);
    }
    return withTls({ auth: { user: a.user, pass: a.password }, explicitAuth: true, secrets: secretList(a.password) });
  }
  if (a.token !== undefined) {
    if (a.token === '') throw new ConnectionOptionsError(CONNECTION_FLAGS.token, 'is empty');
    return withTls({ auth: { token: a.token }, explicitAuth: true, secrets: secretList(a.token) });
  }
  if (a.nkeySeedFile !== undefined || a.nkeySeed !== undefined) {
    const text = a.nkeySeed ?? (await readFlagFile(CONNECTION_FLAGS.nkey, a.nkeySeedFile!));
    const seed = /^\s*(S[A-Z][A-Z2-7]{40,})\s*$/m.exec(text)?.[1];
    if (seed === undefined || !isValidSeed(seed)) {
      throw new ConnectionOptionsError(CONNECTION_FLAGS.nkey, `${a.nkeySeedFile ?? 'the given seed'} holds no valid nkey seed`);
    }
    const authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
    return withTls({ auth: { authenticator }, explicitAuth: true, secrets: secretList(seed) });
  }
  if (a.credsFile !== undefined || a.credsText !== undefined) {
    const bytes = new TextEncoder().encode(a.credsText ?? (await readFlagFile(CONNECTION_FLAGS.creds, a.credsFile!)));
    const authenticator = credsAuthenticator(bytes);
    try {
      // nats.js parses creds lazily at connect time; fail here instead, with our wording.
      authenticator('nats-audit-validation');
    } catch {
      throw new ConnectionOptionsError(
        CONNECTION_FLAGS.creds,
        `${a.credsFile ?? 'the given credentials'} is not a NATS credentials file (needs a user JWT block and a valid seed block)`,
      );
    }
    return withTls({ auth: { authenticator }, explicitAuth: true, secrets: secretList(...credsSecrets(bytes)) });
  }
  return withTls({ auth: {}, explicitAuth: false, secrets: [] });
}

/**
 * nats.js options for exactly one server: no reconnects, no gossip, so the
 * connection lands on the server the URL names (one vantage).
 */
export function buildConnectionOptions(
  url: string,
  loaded: LoadedConnectionSecrets,
  tuning: ConnectionTuning,
): ConnectionOptions {
  const parsed = parseServerUrl(url);
  let auth = loaded.auth;
  if (parsed.user !== undefined) {
    if (loaded.explicitAuth) {
      throw new ConnectionOptionsError(
        CONNECTION_FLAGS.server,
        `${parsed.sanitized} carries credentials in the URL and other auth flags are set too; use one`,
      );
    }
    // Go clients treat a lone URL user as a token; do the same so URLs behave alike.
    auth = parsed.password === undefined ? { token: parsed.user } : { user: parsed.user, pass: parsed.password };
  }
  const wanted = loaded.tls ?? (parsed.scheme === 'tls' ? {} : undefined);
  // nats.js passes an empty SNI name for IP hosts, so node checks the
  // certificate against "localhost"; check it against the host we dialled,
  // as Go clients do. Chain verification (rejectUnauthorized) is untouched.
  const tls: (typeof wanted & { checkServerIdentity?: typeof checkServerIdentity }) | undefined =
    wanted === undefined
      ? undefined
      : { ...wanted, checkServerIdentity: (_host, cert) => checkServerIdentity(parsed.hostname, cert) };
  return {
    // nats.js ignores URL user info (and can misread a numeric password as the port).
    servers: [parsed.sanitized],
    name: tuning.name,
    timeout: Math.max(1, Math.floor(tuning.timeoutMs)),
    reconnect: false,
    maxReconnectAttempts: 0,
    waitOnFirstConnect: false,
    noRandomize: true,
    ignoreClusterUpdates: true,
    ...auth,
    ...(tls === undefined ? {} : { tls }),
  };
}

/** Reads files, then builds the options. Throws {@link ConnectionOptionsError}. */
export async function toNatsConnectionOptions(
  url: string,
  auth: AuthOptions | undefined,
  tls: TlsOptions | undefined,
  tuning: ConnectionTuning,
): Promise<ConnectionOptions> {
  return buildConnectionOptions(url, await loadConnectionSecrets(auth, tls), tuning);
}

/** Secrets in the URLs themselves (`user:pass@`), for {@link redactSecrets}. */
export function urlSecrets(urls: readonly string[]): string[] {
  const out: string[] = [];
  for (const url of urls) {
    try {
      const p = parseServerUrl(url);
      out.push(...secretList(p.password ?? (p.user === undefined ? '' : p.user)));
    } catch {
      // An unparsable URL is reported elsewhere, sanitized.
    }
  }
  return out;
}

/**
 * Belt and braces for text we did not write (library and socket error
 * messages): nothing known to be secret survives, even if echoed.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length > 0) out = out.split(s).join('***');
  }
  return out;
}

async function loadTls(tls: TlsOptions | undefined): Promise<LoadedConnectionSecrets['tls']> {
  const t = tls ?? {};
  const ca = t.caPem ?? t.caFile;
  const cert = t.certPem ?? t.certFile;
  const key = t.keyPem ?? t.keyFile;
  if (ca === undefined && cert === undefined && key === undefined) return undefined;
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? CONNECTION_FLAGS.tlsCert : CONNECTION_FLAGS.tlsKey;
    const other = cert === undefined ? CONNECTION_FLAGS.tlsKey : CONNECTION_FLAGS.tlsCert;
    throw new ConnectionOptionsError(missing, `required with ${other}`);
  }
  const out: { ca?: string; cert?: string; key?: string } = {};
  if (ca !== undefined) out.ca = await pem(CONNECTION_FLAGS.tlsCa, t.caPem, t.caFile, 'CERTIFICATE');
  if (cert !== undefined) out.cert = await pem(CONNECTION_FLAGS.tlsCert, t.certPem, t.certFile, 'CERTIFICATE');
  if (key !== undefined) out.key = await pem(CONNECTION_FLAGS.tlsKey, t.keyPem, t.keyFile, 'PRIVATE KEY');
  return out;
}

async function pem(flag: string, inline: string | undefined, path: string | undefined, label: string): Promise<string> {
  if (inline === undefined) return readPem(flag, path!, label);
  if (!pemPattern(label).test(inline)) throw new ConnectionOptionsError(flag, `the given value is not PEM with a ${label} block`);
  return inline;
}

function pemPattern(label: string): RegExp {
  return new RegExp(`-----BEGIN [A-Z ]*${label}-----`);
}

async function readPem(flag: string, path: string, label: string): Promise<string> {
  const text = await readFlagFile(flag, path);
  if (!pemPattern(label).test(text)) {
    throw new ConnectionOptionsError(flag, `${path} is not a PEM file with a ${label} block`);
  }
  return text;
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  if (path.trim() === '') throw new ConnectionOptionsError(flag, 'file path is empty');
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    // Only the errno code: node's message repeats the path, which we already print.
    throw new ConnectionOptionsError(flag, `cannot read ${path}: ${code}`, { cause: err });
  }
}

function isValidSeed(seed: string): boolean {
  try {
    nkeys.fromSeed(new TextEncoder().encode(seed));
    return true;
  } catch {
    return false;
  }
}

/**
 * The secret strings of auth held in memory (a password, token, seed, or a
 * creds file's seed and JWT), for a caller that must redact them from text it
 * writes before any connection is made, e.g. the Lambda's logs.
 */
export function inMemoryAuthSecrets(auth: AuthOptions): string[] {
  const creds = auth.credsText === undefined ? [] : credsSecrets(new TextEncoder().encode(auth.credsText));
  return secretList(...[auth.password, auth.token, auth.nkeySeed].filter((s): s is string => s !== undefined), ...creds);
}

function credsSecrets(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  const seeds = [...text.matchAll(/^\s*(S[A-Z][A-Z2-7]{40,})\s*$/gm)].map((m) => m[1] ?? '');
  // The user JWT is a credential too: for a bearer-token user it authenticates on its own.
  const jwts = [...text.matchAll(/^\s*(eyJ[\w-]*\.[\w-]*\.[\w-]*)\s*$/gm)].map((m) => m[1] ?? '');
  return [...seeds, ...jwts];
}

function secretList(...values: string[]): string[] {
  // Scrubbing a 1-2 character secret would mangle every message; such a secret is moot anyway.
  return values.filter((v) => v.length >= 3);
}
