import { describe, expect, it } from 'vitest';
import { parseRebalanceConfig } from '../../lib/config/rebalance-config.js';
import { ConfigError } from '../../lib/errors.js';
import type { ClusterAuditConfig } from '../../lib/fleet/fleet-config.js';
import type { Report } from '../../lib/epoch/report.js';
import { rebalanceCalledFor } from '../../lib/serverless/rebalance-trigger.js';

const env = { NATS_URL: 'nats://127.0.0.1:4222' };

function configError(argv: string[]): ConfigError {
  try {
    parseRebalanceConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('rebalance --by', () => {
  it('plans by count unless told, by load with a 10 s window unless given one', () => {
    expect(parseRebalanceConfig([], env)).toMatchObject({ by: 'count', loadWindowMs: 10_000 });
    expect(parseRebalanceConfig(['--by', 'load', '--load-window', '3'], env)).toMatchObject({ by: 'load', loadWindowMs: 3_000 });
    expect(parseRebalanceConfig([], { ...env, NATS_AUDIT_REBALANCE_BY: 'load' })).toMatchObject({ by: 'load' });
  });

  it('names the flag of a bad value', () => {
    expect(configError(['--by', 'bytes']).message).toContain('--by');
    expect(configError(['--load-window', '0']).message).toContain('--load-window');
  });
});

describe('auto-rebalance trigger', () => {
  const report = (check: string, persistent: boolean) => ({ findings: [{ check, lifecycle: { persistent } }] }) as unknown as Report;
  const cluster = (by?: 'count' | 'load') => ({ autoRebalance: { enabled: true, maxMovesPerEpoch: 5, ...(by ? { by } : {}) } }) as ClusterAuditConfig;

  it('acts on a persistent leader_load_concentration with by: load, on a persistent uneven_leader_distribution otherwise', () => {
    expect(rebalanceCalledFor(cluster('load'), report('leader_load_concentration', true))?.check).toBe('leader_load_concentration');
    expect(rebalanceCalledFor(cluster('load'), report('leader_load_concentration', false))).toBeUndefined();
    expect(rebalanceCalledFor(cluster('load'), report('uneven_leader_distribution', true))).toBeUndefined();
    expect(rebalanceCalledFor(cluster(), report('uneven_leader_distribution', true))?.check).toBe('uneven_leader_distribution');
    expect(rebalanceCalledFor(cluster(), report('leader_load_concentration', true))).toBeUndefined();
  });
});
