/**
 * A server URL as the operator wrote it: parsed and checked once
 * (`[nats://|tls://][user[:pass]@]host[:port]`), and stripped of user info
 * for everything stored or printed.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { CONNECTION_FLAGS, ConnectionOptionsError } from './connection-flags.js';

/** The parts of a NATS server URL the auditor needs, user info split off. */
export interface ParsedServerUrl {
  readonly scheme: 'nats' | 'tls';
  readonly hostname: string;
  readonly port: number;
  /** `nats://host:port` / `tls://host:port` without user info. */
  readonly sanitized: string;
  readonly user?: string;
  readonly password?: string;
}

const DEFAULT_NATS_PORT = 4222;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/**
 * Removes `user:password@` (or `token@`) from a URL. Used for everything
 * stored or printed. Cuts at the last `@` so a password with a raw `@` or
 * `/` in it cannot survive partially.
 */
export function sanitizeUrl(url: string): string {
  const trimmed = url.trim();
  const scheme = SCHEME.exec(trimmed)?.[0] ?? '';
  const rest = trimmed.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  return at === -1 ? trimmed : scheme + rest.slice(at + 1);
}

/** Parses `[nats://|tls://][user[:pass]@]host[:port]`; IPv6 hosts go in brackets. */
export function parseServerUrl(url: string): ParsedServerUrl {
  const trimmed = url.trim();
  const schemeMatch = SCHEME.exec(trimmed);
  const schemeName = (schemeMatch?.[1] ?? 'nats').toLowerCase();
  if (schemeName !== 'nats' && schemeName !== 'tls') {
    throw new ConnectionOptionsError(
      CONNECTION_FLAGS.server,
      `unsupported scheme "${schemeName}://" in ${sanitizeUrl(trimmed)} (use nats:// or tls://)`,
    );
  }
  const scheme = schemeName;
  const rest = trimmed.slice(schemeMatch?.[0].length ?? 0);
  const at = rest.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : rest.slice(0, at);
  const hostPart = (at === -1 ? rest : rest.slice(at + 1)).replace(/\/+$/, '');
  const { hostname, port } = hostAndPort(hostPart, sanitizeUrl(trimmed));
  const hostForUrl = hostname.includes(':') ? `[${hostname}]` : hostname;
  const parsed: ParsedServerUrl = { scheme, hostname, port, sanitized: `${scheme}://${hostForUrl}:${port}` };
  if (userInfo === undefined || userInfo === '') {
    return parsed;
  }
  const colon = userInfo.indexOf(':');
  const user = safeDecode(colon === -1 ? userInfo : userInfo.slice(0, colon));
  const password = colon === -1 ? undefined : safeDecode(userInfo.slice(colon + 1));
  return password === undefined ? { ...parsed, user } : { ...parsed, user, password };
}

/**
 * Whether a parsed host is this machine: `localhost`, 127.0.0.0/8, `::1`
 * or an IPv4-mapped 127 address. A name is taken as written, never
 * resolved: another name for this machine reads as remote, the safe side.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:::|0:0:0:0:0:)ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/**
 * A host name, IPv4 address or bracketed IPv6 address, and a port in 1-65535.
 * Anything else (a space, an empty host, a path) is a typo to report, not a
 * name to look up: resolving "not a url at all" would turn bad configuration
 * into a cluster_unreachable finding and a cluster in the state file.
 */
function hostAndPort(hostPart: string, shown: string): { hostname: string; port: number } {
  const bad = (why: string) => new ConnectionOptionsError(CONNECTION_FLAGS.server, `"${clip(shown)}" is not a server URL: ${why}`);
  if (/\s/.test(hostPart)) throw bad('it contains whitespace');
  const hp = /^(?:\[([0-9a-fA-F:.]+)\]|([^:/[\]]*))(?::(\d*))?$/.exec(hostPart);
  if (!hp) throw bad('expected [nats://|tls://][user:password@]host[:port]');
  const hostname = hp[1] ?? hp[2] ?? '';
  if (hostname === '') throw bad('the host is empty');
  if (hp[2] !== undefined && !HOST_NAME.test(hostname)) throw bad('the host holds characters no host name has');
  if (hp[3] === undefined) return { hostname, port: DEFAULT_NATS_PORT };
  const port = hp[3] === '' ? NaN : Number(hp[3]);
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) throw bad(`the port must be within 1-65535`);
  return { hostname, port };
}

/** DNS labels (letters, digits, hyphen; underscore as container names use it) or an IPv4 address. */
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
/** A URL quoted in an error stays one short line, whatever was pasted. */
const MAX_SHOWN_URL = 120;

function clip(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return line.length > MAX_SHOWN_URL ? `${line.slice(0, MAX_SHOWN_URL)}...` : line;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A literal `%` in a password is more likely than a broken escape.
    return s;
  }
}
