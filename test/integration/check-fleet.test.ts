import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../lib/epoch/report.js';
import { useCluster } from '../support/cluster.js';
import { runCli, useTempDir } from '../support/cli.js';
import { testFleet, writeFleetFile } from '../support/fleet-file.js';
import { startSecretsManager, type SecretsManagerServer } from '../support/secrets-manager.js';

/** A loopback port nothing listens on is refused at once. */
const DEAD_URL = 'nats://127.0.0.1:1';

function reportsOf(stdout: string): Report[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Report);
}

describe('check --fleet against a real cluster', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();
  let sm: SecretsManagerServer;
  beforeAll(async () => {
    sm = await startSecretsManager();
  });
  afterAll(async () => {
    await sm?.close();
  });

  /** The SDK's default chain, pointed at the loopback Secrets Manager the way an operator's profile would point at AWS. */
  const awsEnv = () => ({
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
  });

  it('audits every cluster with credentials from its secret; the exit code is the worst status', async () => {
    // Prepare
    const c = cluster();
    sm.put('nats-audit/live', JSON.stringify({ user: c.system.user, password: c.system.password }));
    sm.put('nats-audit/gone', JSON.stringify({ user: 'sys', password: 'unused' }));
    const fleet = writeFleetFile(
      dir,
      'two.json',
      testFleet([
        { name: 'live', servers: [...c.urls], credentialsSecret: 'nats-audit/live', expectServers: 3 },
        { name: 'gone', servers: [DEAD_URL], credentialsSecret: 'nats-audit/gone', audit: { timeoutMs: 1_000 } },
      ]),
    );

    // Act
    const result = await runCli(['check', '--fleet', fleet, '--format', 'json', '--state', `${dir}/state.json`], { env: awsEnv() });

    // Assess
    const reports = reportsOf(result.stdout);
    expect(reports.map((r) => [r.cluster, r.status])).toEqual([
      ['live', 'ok'],
      ['gone', 'critical'],
    ]);
    expect(reports[0]!.servers).toHaveLength(3);
    expect(reports[1]!.findings.map((f) => f.check)).toEqual(['cluster_unreachable']);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain(c.system.password);
  });

  it('--cluster audits one cluster, and auth flags replace the secrets', async () => {
    // Prepare
    const c = cluster();
    const fleet = writeFleetFile(
      dir,
      'flags.json',
      testFleet([
        { name: 'live', servers: [...c.urls], credentialsSecret: 'nats-audit/not-there' },
        { name: 'other', servers: [DEAD_URL], credentialsSecret: 'nats-audit/not-there' },
      ]),
    );

    // Act
    const result = await runCli(['check', '--fleet', fleet, '--cluster', 'live', '--format', 'json', '--user', c.system.user], {
      env: { ...awsEnv(), NATS_PASSWORD: c.system.password },
    });

    // Assess
    expect(reportsOf(result.stdout).map((r) => [r.cluster, r.status])).toEqual([['live', 'ok']]);
    expect(result.code).toBe(0);
  });

  it('a missing secret reads UNKNOWN for that cluster with the secret named, and the others still run', async () => {
    // Prepare
    const c = cluster();
    sm.put('nats-audit/live2', JSON.stringify({ user: c.system.user, password: c.system.password }));
    const fleet = writeFleetFile(
      dir,
      'missing.json',
      testFleet([
        { name: 'nosecret', servers: [...c.urls], credentialsSecret: 'nats-audit/missing' },
        { name: 'live', servers: [...c.urls], credentialsSecret: 'nats-audit/live2' },
      ]),
    );

    // Act
    const result = await runCli(['check', '--fleet', fleet, '--format', 'json'], { env: awsEnv() });

    // Assess
    expect(result.stderr).toContain('UNKNOWN nosecret: credentials secret nats-audit/missing: cannot be read (ResourceNotFoundException)');
    expect(reportsOf(result.stdout).map((r) => r.cluster)).toEqual(['live']);
    expect(result.code).toBe(3);
  });

  it.each([
    [['--servers', 'nats://127.0.0.1:4222'], '--servers: cannot be combined with --fleet'],
    [['--cluster', 'nope'], '--cluster: '],
    [['--watch', '5'], '--watch: cannot be combined with --fleet'],
  ])('rejects %j with a clear error', async (extra, message) => {
    const fleet = writeFleetFile(dir, 'bad.json', testFleet([{ name: 'a', servers: [DEAD_URL], credentialsSecret: 's' }]));
    const result = await runCli(['check', '--fleet', fleet, ...extra]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an invalid fleet file names the field', async () => {
    const fleet = writeFleetFile(dir, 'invalid.json', { ...testFleet([{ name: 'a', servers: [DEAD_URL], credentialsSecret: 's' }]), notifications: { account: 'x', region: 'us-east-1' } });
    const result = await runCli(['check', '--fleet', fleet]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${fleet}: notifications.account: must be a 12-digit AWS account id`);
  });
});
