#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` (cdk.json builds it first). The fleet file
 * comes from context `fleet`: `npx cdk synth -c fleet=config/fleet.json`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defaultRegistry } from '../lib/checks/index.js';
import { ConfigError } from '../lib/errors.js';
import { readFleetFile } from '../lib/fleet/read-fleet-file.js';
import { controlTowerChecks } from '../lib/infra/control-tower.js';
import { addNatsAuditStacks } from '../lib/infra/nats-audit-app.js';

const DEFAULT_FLEET_FILE = 'config/fleet.example.json';

const app = new App();
try {
  const path = (app.node.tryGetContext('fleet') as string | undefined) ?? DEFAULT_FLEET_FILE;
  addNatsAuditStacks(app, readFleetFile(path, defaultRegistry(), 'context fleet'));
} catch (error) {
  // An operator's mistake is reported as field and problem, not as a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// Every synth is checked, by cdk-nag and by AWS Control Tower's proactive
// controls (cfn-guard, offline): an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), controlTowerChecks());
app.synth();
