import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { ConfigError } from '../../../lib/errors.js';
import { FLEET_DEFAULTS, parseFleetConfig, type FleetConfigInput } from '../../../lib/fleet/fleet-config.js';
import { readFleetFile } from '../../../lib/fleet/read-fleet-file.js';

const registry = defaultRegistry();

function fleet(overrides: Partial<FleetConfigInput> = {}): FleetConfigInput {
  return {
    notifications: { account: '111111111111', region: 'eu-west-1' },
    environments: { prod: { account: '222222222222', region: 'eu-west-1' } },
    clusters: [{ name: 'east', environment: 'prod', servers: ['nats://10.0.0.1:4222'], credentialsSecret: 'nats-audit/east' }],
    ...overrides,
  };
}

function errorOf(input: unknown): ConfigError {
  try {
    parseFleetConfig(input, registry, 'fleet.json');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseFleetConfig', () => {
  it('parses the shipped example with two environments in two accounts', () => {
    // Act
    const parsed = readFleetFile('config/fleet.example.json', registry);

    // Assess
    expect(parsed.environments.map((e) => [e.name, e.account, e.region])).toEqual([
      ['payments-prod', '222222222222', 'eu-west-1'],
      ['search-prod', '333333333333', 'us-east-1'],
    ]);
    expect(parsed.clusters.map((c) => c.name)).toEqual(['payments-eu', 'search-us']);
    expect(parsed.notifications.publisherAccounts).toEqual(['222222222222', '333333333333']);
  });

  it('applies defaults, then fleet defaults, then the cluster own settings', () => {
    // Act
    const parsed = parseFleetConfig(
      fleet({
        defaults: { schedule: 'rate(2 minutes)', thresholds: { uneven_leader_distribution: { ratio: 2, min_excess: 4 } }, skip: ['clock_skew'] },
        clusters: [
          {
            name: 'east',
            environment: 'prod',
            servers: ['nats://10.0.0.1:4222'],
            credentialsSecret: 'nats-audit/east',
            audit: { thresholds: { uneven_leader_distribution: { ratio: 3 } }, persistence: { epochs: 3 } },
          },
        ],
      }),
      registry,
    );

    // Assess
    const east = parsed.clusters[0]!;
    expect(east.schedule).toBe('rate(2 minutes)');
    expect(east.thresholds).toEqual({ uneven_leader_distribution: { ratio: 3, min_excess: 4 } });
    expect(east.skip).toEqual(['clock_skew']);
    expect(east.persistence).toEqual({ epochs: 3, minSeconds: FLEET_DEFAULTS.persistenceMinSeconds });
    expect(east.timeoutMs).toBe(FLEET_DEFAULTS.timeoutMs);
    expect(east.confirmDelayMs).toBe(3_000);
    expect(east.reminderMinutes).toBe(FLEET_DEFAULTS.reminderMinutes);
    expect(east.autoRebalance).toEqual({ enabled: false, maxMovesPerEpoch: FLEET_DEFAULTS.autoRebalanceMaxMoves, by: 'count' });
    expect(east.loadDetailEvery).toBe(5);
  });

  it('takes auto-rebalance by load and the load detail cadence, and names a bad value\'s field', () => {
    // Act
    const parsed = parseFleetConfig(
      fleet({
        defaults: { loadDetailEvery: 3 },
        clusters: [{ name: 'east', environment: 'prod', servers: ['nats://10.0.0.1:4222'], credentialsSecret: 's', autoRebalance: { enabled: true, by: 'load' } }],
      }),
      registry,
      'fleet.json',
    );

    // Assess
    expect(parsed.clusters[0]).toMatchObject({ autoRebalance: { enabled: true, by: 'load' }, loadDetailEvery: 3 });
    const bad = { name: 'east', environment: 'prod', servers: ['nats://a:4222'], credentialsSecret: 's', autoRebalance: { enabled: true, by: 'bytes' } };
    expect(errorOf(fleet({ clusters: [bad as never] })).field).toBe('fleet.json: clusters[0].autoRebalance.by');
    expect(errorOf(fleet({ defaults: { loadDetailEvery: 0 } })).field).toBe('fleet.json: defaults.loadDetailEvery');
  });

  it.each([
    ['a missing notifications block', { ...fleet(), notifications: undefined }, 'fleet.json: notifications'],
    ['a bad account id', fleet({ environments: { prod: { account: '12', region: 'eu-west-1' } } }), 'fleet.json: environments.prod.account'],
    ['a bad region', fleet({ environments: { prod: { account: '222222222222', region: 'Europe' } } }), 'fleet.json: environments.prod.region'],
    [
      'an unknown field',
      fleet({ clusters: [{ name: 'east', environment: 'prod', servers: ['nats://a:4222'], credentialsSecret: 's', password: 'x' } as never] }),
      'fleet.json: clusters[0]',
    ],
    [
      'a bad schedule',
      fleet({ defaults: { schedule: 'every minute' } }),
      'fleet.json: defaults.schedule',
    ],
  ])('names the field for %s', (_name, input, field) => {
    // Act
    const error = errorOf(input);

    // Assess
    expect(error.field).toBe(field);
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it('rejects a cluster in an unknown environment, naming the environments there are but not the value', () => {
    const error = errorOf(fleet({ clusters: [{ name: 'east', environment: 'nope', servers: ['nats://a:4222'], credentialsSecret: 's' }] }));
    expect(error.message).toBe('fleet.json: clusters[0].environment: names no environment of this file; environments: prod');
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])('an environment named %s must be one of the file, not of every object', (name) => {
    const error = errorOf(fleet({ clusters: [{ name: 'east', environment: name, servers: ['nats://a:4222'], credentialsSecret: 's' }] }));
    expect(error.field).toBe('fleet.json: clusters[0].environment');
  });

  it('rejects duplicate cluster names, pointing at the first', () => {
    const cluster = { name: 'east', environment: 'prod', servers: ['nats://a:4222'], credentialsSecret: 's' };
    expect(errorOf(fleet({ clusters: [cluster, cluster] })).message).toBe('fleet.json: clusters[1].name: is also the name of clusters[0]');
  });

  it('a value where a name or URL was expected is never echoed (it may be a pasted secret)', () => {
    const secret = 'hunter2 pasted';
    const at = (c: Partial<FleetConfigInput['clusters'][number]>) =>
      errorOf(fleet({ clusters: [{ name: 'east', environment: 'prod', servers: ['nats://a:4222'], credentialsSecret: 's', ...c }] }));
    expect(at({ environment: 'hunter2' }).message).not.toContain('hunter2');
    expect(at({ servers: ['nats://hunter2:pasted'] }).message).toBe('fleet.json: clusters[0].servers[0]: must be a nats:// or tls:// URL of one server, host[:port]');
    expect(errorOf(fleet({ defaults: { skip: [secret] } })).message).not.toContain(secret);
    expect(errorOf(fleet({ defaults: { timeoutMs: secret as unknown as number } })).message).toBe('fleet.json: defaults.timeoutMs: expected a number, got string');
  });

  it('says what is wrong in its own words, not zod\'s', () => {
    expect(errorOf(null).message).toBe('fleet.json: (root): expected an object, got null');
    expect(errorOf(fleet({ clusters: [] })).message).toBe('fleet.json: clusters: must list at least one cluster');
    expect(errorOf({ ...fleet(), extra: 1 }).message).toBe('fleet.json: (root): unknown field "extra"');
    expect(errorOf(fleet({ defaults: { timeoutMs: 50 } })).message).toBe('fleet.json: defaults.timeoutMs: expected at least 100');
    expect(errorOf(fleet({ defaults: { confirmDelayMs: 10_000 } })).message).toBe('fleet.json: defaults.confirmDelayMs: expected at most 9000');
    expect(errorOf(fleet({ defaults: { thresholds: { 'bad key\n': { x: 1 } } } })).field).toBe('fleet.json: defaults.thresholds["bad key\\n"]');
  });

  it('rejects credentials in a server URL without echoing them', () => {
    // Act
    const error = errorOf(fleet({ clusters: [{ name: 'east', environment: 'prod', servers: ['nats://sys:hunter2@a:4222'], credentialsSecret: 's' }] }));

    // Assess
    expect(error.field).toBe('fleet.json: clusters[0].servers[0]');
    expect(error.message).toContain('credentials secret');
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects unknown checks and thresholds, and values below a threshold minimum', () => {
    expect(errorOf(fleet({ defaults: { skip: ['nope'] } })).field).toBe('fleet.json: defaults.skip[0]');
    expect(errorOf(fleet({ defaults: { thresholds: { nope: { x: 1 } } } })).field).toBe('fleet.json: defaults.thresholds.nope');
    expect(errorOf(fleet({ defaults: { thresholds: { uneven_leader_distribution: { nope: 1 } } } })).message).toContain('has no such threshold');
    expect(errorOf(fleet({ defaults: { thresholds: { uneven_leader_distribution: { ratio: -1 } } } })).message).toContain('must be a number of at least');
  });

  it('gives every environment a dashboard and a 30-day unencrypted log group unless told otherwise', () => {
    // Act
    const [environment] = parseFleetConfig(fleet(), registry).environments;

    // Assess
    expect(environment!.dashboard).toBe(true);
    expect(environment!.logs).toEqual({ retentionDays: FLEET_DEFAULTS.logRetentionDays, encrypted: false });
  });

  it('takes the dashboard switch, log retention and log encryption from the environment', () => {
    // Act
    const [environment] = parseFleetConfig(
      fleet({ environments: { prod: { account: '222222222222', region: 'eu-west-1', dashboard: { enabled: false }, logs: { retentionDays: 365, encrypted: true } } } }),
      registry,
    ).environments;

    // Assess
    expect(environment!.dashboard).toBe(false);
    expect(environment!.logs).toEqual({ retentionDays: 365, encrypted: true });
  });

  it('rejects a bad dashboard switch, log retention or network, naming the field', () => {
    const env = (extra: Record<string, unknown>) => errorOf(fleet({ environments: { prod: { account: '222222222222', region: 'eu-west-1', ...extra } } }));
    expect(env({ dashboard: { enabled: 'no' } }).message).toBe('fleet.json: environments.prod.dashboard.enabled: expected a boolean, got string');
    expect(env({ dashboard: true }).field).toBe('fleet.json: environments.prod.dashboard');
    expect(env({ logs: { retentionDays: 300 } }).message).toMatch(/^fleet\.json: environments\.prod\.logs\.retentionDays: must be one of CloudWatch Logs' retention periods: 1, 3, .* 365, /);
    expect(env({ logs: { kmsKey: 'x' } }).message).toBe('fleet.json: environments.prod.logs: unknown field "kmsKey"');
    const network = { vpcId: 'vpc-0a1b2c3d4e5f60718', subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0a1b2c3d4e5f60718'] };
    expect(env({ network: { ...network, subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60718'] } }).message).toBe(
      'fleet.json: environments.prod.network.subnetIds: must not list a subnet twice',
    );
    expect(env({ network: { ...network, securityGroupIds: [] } }).field).toBe('fleet.json: environments.prod.network.securityGroupIds');
    expect(env({ network: { ...network, securityGroupIds: ['sg-1', 'sg-2'] } }).message).toBe(
      'fleet.json: environments.prod.network.securityGroupIds[0]: must be a security group id (sg-...)',
    );
  });

  it('reports an unreadable or non-JSON file by path', () => {
    expect(() => readFleetFile('/nonexistent/fleet.json', registry)).toThrow('--fleet: cannot read /nonexistent/fleet.json: ENOENT');
    expect(() => readFleetFile('README.md', registry)).toThrow(/--fleet: README.md is not valid JSON/);
  });
});
