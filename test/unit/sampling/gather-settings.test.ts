import { describe, expect, it } from 'vitest';
import { GatherConfigError, resolveSettings } from '../../../lib/sampling/gather-settings.js';

const base = { servers: ['nats://127.0.0.1:4222'], timeoutMs: 1000 };

describe('gather settings: acceptGzip', () => {
  it('defaults to asking gzip for what crosses a network, and takes always', () => {
    expect(resolveSettings(base).acceptGzip).toBe('across-network');
    expect(resolveSettings({ ...base, acceptGzip: 'always' }).acceptGzip).toBe('always');
  });

  it('refuses anything else, naming the setting and the value', () => {
    const bad = () => resolveSettings({ ...base, acceptGzip: 'never' as never });
    expect(bad).toThrow(GatherConfigError);
    expect(bad).toThrow("acceptGzip must be one of 'across-network', 'always', got never");
  });
});

describe('gather settings: the JSZ detail request', () => {
  it('asks for accounts, streams, consumers and Raft detail, never their configuration (no check reads it)', () => {
    expect(JSON.parse(resolveSettings(base).jszDetailBody)).toEqual({ accounts: true, streams: true, consumer: true, raft: true });
  });

  it('a caller may still add options, merged over the defaults', () => {
    expect(JSON.parse(resolveSettings({ ...base, jszOptions: { config: true } }).jszDetailBody)).toMatchObject({ streams: true, config: true });
  });
});
