import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/infra/project-root.js';

const ROOT = projectRoot();

/** Runs cdk.json's `app` command as the CDK CLI would, with the context and output directory it would pass. */
function runApp(context: Record<string, unknown>, outdir: string) {
  const { app } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string };
  const result = spawnSync(app, {
    cwd: ROOT,
    shell: true,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cdk.json app', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nats-audit-app-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('synthesizes the example fleet into three stacks without credentials', () => {
    // Act
    const outdir = join(dir, 'ok');
    const result = runApp({ 'aws:cdk:bundling-stacks': [] }, outdir);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string }> };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([id, a]) => [id, a.environment]);
    expect(stacks).toEqual([
      ['NatsAuditNotifications', 'aws://111111111111/eu-west-1'],
      ['NatsAudit-payments-prod', 'aws://222222222222/eu-west-1'],
      ['NatsAudit-search-prod', 'aws://333333333333/us-east-1'],
    ]);
    // The Control Tower rules ran (cfn-guard, offline) and only the acknowledged departures remain.
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[]; suppressedViolations?: { ruleName: string }[] }[];
    };
    const guard = report.pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard');
    expect(guard?.conclusion).toBe('success');
    expect(guard?.violations).toEqual([]);
    expect(guard?.suppressedViolations?.map((v) => v.ruleName).sort()).toEqual([
      'cloudwatch_log_group_encrypted_check',
      'cloudwatch_log_group_encrypted_check',
      'cloudwatch_log_group_retention_period_check',
      'cloudwatch_log_group_retention_period_check',
      'lambda_inside_vpc_check',
    ]);
  });

  it('reports a bad fleet file as field and problem, exits 1 and prints no stack trace', () => {
    // Prepare
    const fleet = join(dir, 'bad-fleet.json');
    writeFileSync(fleet, JSON.stringify({ notifications: { account: '1', region: 'eu-west-1' }, environments: {}, clusters: [] }));

    // Act
    const result = runApp({ fleet, 'aws:cdk:bundling-stacks': [] }, join(dir, 'bad'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${fleet}: notifications.account: must be a 12-digit AWS account id\n`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('reports a missing fleet file by the context key that named it', () => {
    // Act
    const result = runApp({ fleet: join(dir, 'missing.json') }, join(dir, 'missing'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`context fleet: cannot read ${join(dir, 'missing.json')}: ENOENT\n`);
  });
});
