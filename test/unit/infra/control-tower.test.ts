import { join } from 'node:path';
import { CfnElement, Stack, Validations, type App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { readFleetFile } from '../../../lib/fleet/read-fleet-file.js';
import { CONTROL_TOWER_PLUGIN, controlTowerChecks } from '../../../lib/infra/control-tower.js';
import { addNatsAuditStacks } from '../../../lib/infra/nats-audit-app.js';
import { projectRoot } from '../../../lib/infra/project-root.js';
import { exampleFleet, nagFindings, testApp } from './infra-fixtures.js';

/**
 * What the Control Tower rules say of the synthesized app, run through the
 * real plugin (its bundled cfn-guard binary) exactly as synth runs it, but
 * before acknowledgements are applied: `rule at construct path`.
 */
function controlTowerViolations(app: App): string[] {
  const assembly = app.synth();
  const pathsByTemplate = new Map<string, Map<string, string>>();
  for (const stack of app.node.findAll().filter((c): c is Stack => Stack.isStack(c))) {
    const byLogicalId = new Map<string, string>();
    for (const element of stack.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c))) {
      byLogicalId.set(stack.resolve(element.logicalId) as string, element.node.path);
    }
    pathsByTemplate.set(stack.templateFile, byLogicalId);
  }
  const report = controlTowerChecks().validate({ appConstruct: app, templatePaths: assembly.stacks.map((s) => s.templateFullPath) });
  return report.violations
    .flatMap((v) =>
      v.violatingResources
        // The plugin also reports the rule once per template without a resource; the resource entries carry it.
        .filter((r) => r.resourceLogicalId !== undefined)
        .map((r) => `${v.ruleName} at ${pathsByTemplate.get(r.templatePath.split('/').pop()!)?.get(r.resourceLogicalId!) ?? r.resourceLogicalId}`),
    )
    .sort();
}

/** The app's Control Tower acknowledgements: `rule at construct path` and the reason given. */
function controlTowerAcknowledgements(app: App): { readonly at: string; readonly reason: string }[] {
  const prefix = `${CONTROL_TOWER_PLUGIN}::`;
  return app.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>))
        .filter(([id]) => id.startsWith(prefix))
        .map(([id, reason]) => ({ at: `${id.slice(prefix.length)} at ${c.node.path}`, reason })),
    )
    .sort((a, b) => a.at.localeCompare(b.at));
}

// Synthesizing a fleet loads most of aws-cdk-lib and takes several seconds.
describe('Control Tower proactive controls', { timeout: 120_000 }, () => {
  describe('over the example fleet', () => {
    let app: App;
    let violations: string[];
    beforeAll(() => {
      app = testApp();
      addNatsAuditStacks(app, exampleFleet());
      violations = controlTowerViolations(app);
    }, 120_000);

    it('leaves exactly the by-design departures: short-lived unencrypted logs, and a function outside a VPC where no network is given', () => {
      // Assess
      expect(violations).toEqual([
        'cloudwatch_log_group_encrypted_check at NatsAudit-payments-prod/Auditor/Logs/Default/Resource',
        'cloudwatch_log_group_encrypted_check at NatsAudit-search-prod/Auditor/Logs/Default/Resource',
        'cloudwatch_log_group_retention_period_check at NatsAudit-payments-prod/Auditor/Logs/Default/Resource',
        'cloudwatch_log_group_retention_period_check at NatsAudit-search-prod/Auditor/Logs/Default/Resource',
        'lambda_inside_vpc_check at NatsAudit-search-prod/Auditor/Function/Resource',
      ]);
    });

    it('acknowledges each departure on its own resource, and nothing else', () => {
      // Assess: an acknowledgement covers its construct and everything below it
      expect(controlTowerAcknowledgements(app).map((a) => a.at)).toEqual([
        'cloudwatch_log_group_encrypted_check at NatsAudit-payments-prod/Auditor/Logs/Default',
        'cloudwatch_log_group_encrypted_check at NatsAudit-search-prod/Auditor/Logs/Default',
        'cloudwatch_log_group_retention_period_check at NatsAudit-payments-prod/Auditor/Logs/Default',
        'cloudwatch_log_group_retention_period_check at NatsAudit-search-prod/Auditor/Logs/Default',
        'lambda_inside_vpc_check at NatsAudit-search-prod/Auditor/Function',
      ]);
    });

    it('names in each reason the fleet setting that meets the rule instead', () => {
      // Assess
      const reasons = controlTowerAcknowledgements(app).map((a) => a.reason);
      expect(reasons).toHaveLength(5);
      for (const field of [
        'environments.payments-prod.logs.encrypted',
        'environments.payments-prod.logs.retentionDays',
        'environments.search-prod.logs.encrypted',
        'environments.search-prod.logs.retentionDays',
        'environments.search-prod.network',
      ]) {
        expect(reasons.filter((r) => r.includes(field)), field).toHaveLength(1);
      }
    });
  });

  describe('over the fleet configured for a governed organization (config/fleet.control-tower.example.json)', () => {
    let app: App;
    beforeAll(() => {
      app = testApp();
      addNatsAuditStacks(app, readFleetFile(join(projectRoot(), 'config/fleet.control-tower.example.json'), defaultRegistry()));
    }, 120_000);

    it('fails no rule and needs no exception', () => {
      // Assess
      expect(controlTowerViolations(app)).toEqual([]);
      expect(controlTowerAcknowledgements(app)).toEqual([]);
    });

    it('passes cdk-nag with its log keys as it does without them', () => {
      // Assess
      expect(nagFindings(app)).toEqual([]);
    });
  });

  it('fails a synth on an unacknowledged departure, and lets an acknowledged one through', () => {
    // Prepare: a log group kept a week, once bare and once acknowledged
    const build = (acknowledged: boolean) => {
      const app = testApp();
      const stack = new Stack(app, 'Governed', { env: { account: '222222222222', region: 'eu-west-1' } });
      const group = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_WEEK });
      if (acknowledged) {
        Validations.of(group).acknowledge(
          { id: `${CONTROL_TOWER_PLUGIN}::cloudwatch_log_group_retention_period_check`, reason: 'test' },
          { id: `${CONTROL_TOWER_PLUGIN}::cloudwatch_log_group_encrypted_check`, reason: 'test' },
        );
      }
      Validations.of(app).addPlugins(controlTowerChecks());
      return app;
    };

    // Act and assess
    expect(() => build(false).synth()).toThrow(/CT\.CLOUDWATCH\.PR\.2.*\n(.*\n)*.*CT\.CLOUDWATCH\.PR\.3/);
    expect(() => build(true).synth()).not.toThrow();
  });
});
