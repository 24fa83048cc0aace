import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import type { FleetConfig } from '../../../lib/fleet/fleet-config.js';
import { addNatsAuditStacks, type NatsAuditStacks } from '../../../lib/infra/nats-audit-app.js';
import { EPOCH_DONE_MESSAGE, EPOCH_FAILED_MESSAGE } from '../../../lib/serverless/epoch-log-messages.js';
import { cluster, exampleFleet, nagFindings, testApp } from './infra-fixtures.js';

interface Widget {
  readonly type: string;
  readonly width: number;
  readonly properties: { readonly title?: string; readonly query?: string; readonly view?: string; readonly markdown?: string };
}

/** The environment stack's dashboards by name, each body parsed with references written `${Ref:LogicalId}`. */
function dashboards(stack: Stack): Map<string, Widget[]> {
  const template = Template.fromStack(stack);
  const found = new Map<string, Widget[]>();
  for (const resource of Object.values(template.findResources('AWS::CloudWatch::Dashboard'))) {
    const { DashboardName, DashboardBody } = resource.Properties as { DashboardName: string; DashboardBody: unknown };
    const body = typeof DashboardBody === 'string' ? DashboardBody : joinBody(DashboardBody as { 'Fn::Join': [string, unknown[]] });
    found.set(DashboardName, (JSON.parse(body) as { widgets: Widget[] }).widgets);
  }
  return found;
}

function joinBody(join: { 'Fn::Join': [string, unknown[]] }): string {
  const [delimiter, parts] = join['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : `\${Ref:${(p as { Ref: string }).Ref}}`)).join(delimiter);
}

/** The log group the auditor function writes to, as a reference in the dashboard body. */
function auditorLogGroupRef(stack: Stack): string {
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0] as { Properties: { LoggingConfig: { LogGroup: { Ref: string } } } };
  return `\${Ref:${fn.Properties.LoggingConfig.LogGroup.Ref}}`;
}

const logWidgets = (widgets: readonly Widget[]) => widgets.filter((w) => w.type === 'log');

// Synthesizing a fleet loads most of aws-cdk-lib and takes several seconds.
describe('the environment dashboard', { timeout: 120_000 }, () => {
  describe('over the example fleet', () => {
    let fleet: FleetConfig;
    let stacks: NatsAuditStacks;
    beforeAll(() => {
      fleet = exampleFleet();
      stacks = addNatsAuditStacks(testApp(), fleet);
    }, 120_000);

    it('gives each environment one dashboard, named after it', () => {
      // Assess
      expect([...stacks.environments].map(([name, stack]) => [name, [...dashboards(stack).keys()]])).toEqual([
        ['payments-prod', ['nats-audit-payments-prod']],
        ['search-prod', ['nats-audit-search-prod']],
      ]);
    });

    it("shows, for each of the fleet file's clusters in the environment, its status, findings by check, epoch duration and leaders per server", () => {
      for (const [name, stack] of stacks.environments) {
        // Prepare
        const clusters = fleet.clusters.filter((c) => c.environment === name).map((c) => c.name);
        const widgets = logWidgets([...dashboards(stack).values()][0]!);

        // Assess
        expect(widgets.map((w) => w.properties.title)).toEqual(
          clusters.flatMap((c) => [
            `${c}: status (0 ok, 1 warning, 2 critical, 3 audit failed)`,
            `${c}: open findings by check`,
            `${c}: epoch duration (ms)`,
            `${c}: leaders per server (latest epoch)`,
          ]),
        );
        expect(widgets.map((w) => w.properties.view)).toEqual(clusters.flatMap(() => ['timeSeries', 'timeSeries', 'timeSeries', 'bar']));
        expect(widgets.map((w) => w.width).reduce((a, b) => a + b, 0)).toBe(24 * clusters.length);
      }
      // The fleet file's two clusters, one per environment.
      expect(fleet.clusters.map((c) => [c.environment, c.name])).toEqual([
        ['payments-prod', 'payments-eu'],
        ['search-prod', 'search-us'],
      ]);
    });

    it("queries only the auditor's own log group, for the cluster's epoch lines", () => {
      // Prepare
      const stack = stacks.environments.get('payments-prod')!;
      const widgets = logWidgets([...dashboards(stack).values()][0]!);

      // Assess
      for (const widget of widgets) {
        const query = widget.properties.query!;
        expect(query.startsWith(`SOURCE '${auditorLogGroupRef(stack)}' | filter cluster = "payments-eu" and `), query).toBe(true);
        expect(query).toContain(`message = "${EPOCH_DONE_MESSAGE}"`);
        // One pipe between commands: the widget joins the lines with one.
        expect(query, query).not.toMatch(/\|\s*\|/);
      }
      const [status, findings, duration, leaders] = widgets.map((w) => w.properties.query!);
      expect(status).toContain(`message = "${EPOCH_FAILED_MESSAGE}"`);
      expect(status).toContain('stats max(level) as worst by bin(5m)');
      expect(findings).toContain('max(coalesce(line.findingsByCheck.meta_leader_disagreement, 0)) as meta_leader_disagreement');
      expect(duration).toContain('stats avg(line.durationMs) as average, max(line.durationMs) as slowest by bin(5m)');
      expect(leaders).toContain('| unnest line.leaders into leader');
      expect(leaders).toContain('by leader.server');
    });

    it('charts one series per check the cluster runs', () => {
      // Prepare
      const findings = logWidgets([...dashboards(stacks.environments.get('search-prod')!).values()][0]!)[1]!.properties.query!;

      // Assess
      expect([...findings.split('| stats ')[1]!.matchAll(/ as ([a-z_]+)/g)].map((m) => m[1])).toEqual(defaultRegistry().ids());
    });

    it('passes cdk-nag', () => {
      // Assess
      for (const stack of stacks.environments.values()) expect(nagFindings(stack)).toEqual([]);
    });
  });

  it('follows the fleet file: a row per cluster in file order, less the checks a cluster skips, none where turned off', () => {
    // Prepare
    const base = exampleFleet();
    const on = base.environments[0]!;
    const off = { ...base.environments[1]!, dashboard: false };
    const fleet: FleetConfig = {
      ...base,
      environments: [on, off],
      clusters: [
        cluster('zeta', { environment: on.name, skip: ['clock_skew'] }),
        cluster('alpha', { environment: on.name }),
        cluster('elsewhere', { environment: off.name }),
      ],
    };

    // Act
    const stacks = addNatsAuditStacks(testApp(), fleet);

    // Assess
    const widgets = logWidgets(dashboards(stacks.environments.get(on.name)!).get(`nats-audit-${on.name}`)!);
    expect(widgets.map((w) => w.properties.title!.split(':')[0])).toEqual(['zeta', 'zeta', 'zeta', 'zeta', 'alpha', 'alpha', 'alpha', 'alpha']);
    expect(widgets[1]!.properties.query).not.toContain('clock_skew');
    expect(widgets[5]!.properties.query).toContain('as clock_skew');
    expect(dashboards(stacks.environments.get(off.name)!).size).toBe(0);
    expect(stacks.environments.get(off.name)!.dashboard).toBeUndefined();
  });
});
