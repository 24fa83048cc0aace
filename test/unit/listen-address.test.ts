import { describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../lib/config/listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['9464', { host: '127.0.0.1', port: 9464 }],
    ['0', { host: '127.0.0.1', port: 0 }],
    ['localhost:9464', { host: '127.0.0.1', port: 9464 }],
    ['127.0.0.2:80', { host: '127.0.0.2', port: 80 }],
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    [' 9464 ', { host: '127.0.0.1', port: 9464 }],
  ])('%j binds %j', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each([
    ['', 'must be PORT, HOST:PORT or [IPv6]:PORT'],
    ['abc', 'must be PORT, HOST:PORT or [IPv6]:PORT'],
    [':9464', 'needs a host before the colon: 127.0.0.1:PORT for loopback, 0.0.0.0:PORT for every interface'],
    ['65536', 'port must be a whole number from 0 to 65535'],
    ['host.example:9464', 'the host must be an IPv4 address, [IPv6] or localhost'],
    ['::1:9464', 'must be PORT, HOST:PORT or [IPv6]:PORT'],
    ['[127.0.0.1]:9464', 'the host in brackets must be an IPv6 address'],
    ['127.0.0.1:-1', 'must be PORT, HOST:PORT or [IPv6]:PORT'],
  ])('%j is refused: %s', (text, problem) => {
    expect(parseListenAddress(text)).toBe(problem);
  });
});
