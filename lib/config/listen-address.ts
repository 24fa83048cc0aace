import { isIP } from 'node:net';

/** Where `--metrics-listen` serves `/metrics`. */
export interface ListenAddress {
  readonly host: string;
  /** 0: any free port (the bound one is printed). */
  readonly port: number;
}

/** Loopback: a bare port is never exposed beyond the machine by accident. */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

/**
 * `PORT`, `HOST:PORT` or `[IPv6]:PORT`, HOST an IP address or `localhost`.
 * Returns the problem as text for the caller to attach to its flag.
 * `:PORT` is refused: in Go tools it means every interface, here a bare port
 * means loopback, and an operator should not have to guess which.
 */
export function parseListenAddress(text: string): ListenAddress | string {
  const value = text.trim();
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  if (!match) return 'must be PORT, HOST:PORT or [IPv6]:PORT';
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port > 65_535) return 'port must be a whole number from 0 to 65535';
  if (value.startsWith(':')) return 'needs a host before the colon: 127.0.0.1:PORT for loopback, 0.0.0.0:PORT for every interface';
  if (match[0] === match[3]) return { host: DEFAULT_LISTEN_HOST, port };
  if (host === 'localhost') return { host: DEFAULT_LISTEN_HOST, port };
  if (match[1] !== undefined ? isIP(host) !== 6 : isIP(host) !== 4) {
    return match[1] !== undefined ? 'the host in brackets must be an IPv6 address' : 'the host must be an IPv4 address, [IPv6] or localhost';
  }
  return { host, port };
}
