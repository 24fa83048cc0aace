/**
 * The artifact `cdk deploy` would upload: synthesizes the environment stack of
 * a fleet and returns the bundled index.mjs with the environment the
 * template gives the function, aimed at the loopback AWS stack.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FleetConfig } from '../../lib/fleet/fleet-config.js';
import { addNatsAuditStacks, STACK_IDS } from '../../lib/infra/nats-audit-app.js';
import { projectRoot } from '../../lib/infra/project-root.js';
import { ENVIRONMENT } from '../../lib/serverless/lambda-environment.js';
import type { AuditStack } from './audit-stack.js';

export interface BundledLambda {
  readonly bundle: string;
  /** The function's environment as synthesized, plus the loopback endpoints and dummy credentials. */
  readonly env: Record<string, string>;
  dispose(): void;
}

export function synthBundledLambda(fleet: FleetConfig, stack: AuditStack): BundledLambda {
  const outdir = mkdtempSync(join(tmpdir(), 'nats-audit-bundle-'));
  const { context } = JSON.parse(readFileSync(join(projectRoot(), 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [STACK_IDS.environment('test')] } });
  const { environments } = addNatsAuditStacks(app, fleet);
  app.synth();
  const fn = Object.values(Template.fromStack(environments.get('test')!).findResources('AWS::Lambda::Function'))[0] as {
    Properties: { Code: { S3Key: string }; Environment: { Variables: Record<string, unknown> } };
  };
  const bundle = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
  // Plain strings as synthesized; the table name and topic ARN are CloudFormation references, so they are given here.
  const synthesized = Object.fromEntries(Object.entries(fn.Properties.Environment.Variables).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    bundle,
    env: {
      PATH: process.env.PATH ?? '',
      ...synthesized,
      [ENVIRONMENT.table]: stack.dynamo.tableName,
      [ENVIRONMENT.topicArn]: stack.topicArn,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamo.endpoint,
      AWS_ENDPOINT_URL_SNS: stack.snsEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.secrets.endpoint,
    },
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
