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
