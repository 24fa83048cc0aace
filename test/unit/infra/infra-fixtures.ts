import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { FLEET_DEFAULTS, type ClusterAuditConfig, type FleetConfig } from '../../../lib/fleet/fleet-config.js';
import { readFleetFile } from '../../../lib/fleet/read-fleet-file.js';
import { projectRoot } from '../../../lib/infra/project-root.js';

const ROOT = projectRoot();

/**
 * Where this file's Apps synthesize. Without an outdir CDK makes a
 * `cdk.out*` directory in the OS temp directory for every App it
 * synthesizes and never removes it: thousands per run of the suite.
 * Registered while the importing test file is collected, so the hook
 * belongs to that file.
 */
let outdirs: string | undefined;
afterAll(() => {
  if (outdirs !== undefined) rmSync(outdirs, { recursive: true, force: true });
  outdirs = undefined;
});

function appOutdir(): string {
  outdirs ??= mkdtempSync(join(tmpdir(), 'nats-audit-cdk-apps-'));
  return mkdtempSync(join(outdirs, 'app-'));
}

/**
 * An App as `cdk synth` builds it (cdk.json's feature flags) but without
 * bundling the function: assertion tests look at templates, not code. CDK's
 * built-in CloudFormation validation (a WebAssembly linter that takes seconds
 * to start) runs only where a test asks for the real synth.
 */
export function testApp(options: { readonly builtinCloudFormationValidation?: boolean } = {}): App {
  const { context } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return new App({
    outdir: appOutdir(),
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.builtinCloudFormationValidation ?? false,
  });
}

/** A stack in the first example environment's account and region. */
export function testStack(app: App = testApp()): Stack {
  return new Stack(app, 'Test', { env: { account: '222222222222', region: 'eu-west-1' } });
}

export function exampleFleet(): FleetConfig {
  return readFleetFile(join(ROOT, 'config/fleet.example.json'), defaultRegistry());
}

export function cluster(name: string, overrides: Partial<ClusterAuditConfig> = {}): ClusterAuditConfig {
  return {
    name,
    environment: 'test',
    servers: [`nats://${name}-0.internal:4222`],
    credentialsSecret: `nats-audit/${name}`,
    schedule: FLEET_DEFAULTS.schedule,
    timeoutMs: FLEET_DEFAULTS.timeoutMs,
    confirmDelayMs: FLEET_DEFAULTS.confirmDelayMs,
    persistence: { epochs: FLEET_DEFAULTS.persistenceEpochs, minSeconds: FLEET_DEFAULTS.persistenceMinSeconds },
    thresholds: {},
    skip: [],
    reminderMinutes: FLEET_DEFAULTS.reminderMinutes,
    notifyMinSeverity: FLEET_DEFAULTS.notifyMinSeverity,
    autoRebalance: { enabled: false, maxMovesPerEpoch: FLEET_DEFAULTS.autoRebalanceMaxMoves, by: 'count' },
    loadDetailEvery: 5,
    ...overrides,
  };
}

/** cdk-nag's AwsSolutions findings left unacknowledged in `scope`, as `rule at path`. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}: ${v.description}`));
}

/** Every acknowledgement recorded in `scope`, as `rule id -> construct path relative to the stack`. */
export function acknowledgements(scope: IConstruct): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const id of Object.keys(entry.data as Record<string, string>)) {
        (found[id.replace(/^annotation::/i, '')] ??= []).push(construct.node.path.split('/').slice(1).join('/'));
      }
    }
  }
  return found;
}
