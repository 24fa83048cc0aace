import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { parseFleetConfig } from '../../lib/fleet/fleet-config.js';
import { concentrateLeaders, createReplicatedStreams } from '../../lib/local-cluster/index.js';
import { ENVIRONMENT } from '../../lib/serverless/lambda-environment.js';
import { DynamoDbRunLedger } from '../../lib/state/dynamodb-run-ledger.js';
import { startAuditStack, type AuditStack } from '../support/audit-stack.js';
import { synthBundledLambda, type BundledLambda } from '../support/bundled-lambda.js';
import { useCluster } from '../support/cluster.js';
import { testFleet } from '../support/fleet-file.js';
import { LAMBDA_NODE_MAJOR, lambdaNode } from '../support/lambda-node.js';

const DEAD_URL = 'nats://127.0.0.1:1';
const INVOKE_TIMEOUT_MS = 60_000;

/**
 * The artifact `cdk deploy` would upload, not the TypeScript it came from:
 * synthesize an environment whose fleet points at a real local cluster,
 * then import the bundled index.mjs in a fresh process of the Lambda's
 * Node.js 24 with the environment variables the template gives the
 * function (endpoints aimed at the loopback DynamoDB, SNS and Secrets
 * Manager) and invoke it. The healthy audit also runs on the Node.js that
 * runs the tests, the oldest the bundle's target supports in the matrix.
 */
describe('the bundled Lambda asset, invoked against a real cluster', () => {
  const cluster = useCluster(3);
  let stack: AuditStack;
  let lambda: BundledLambda;

  beforeAll(async () => {
    stack = await startAuditStack();
    const c = cluster();
    stack.secrets.put('nats-audit/bundled', JSON.stringify({ user: c.system.user, password: c.system.password }));
    const fleet = parseFleetConfig(
      testFleet([
        { name: 'bundled', servers: [...c.urls], credentialsSecret: 'nats-audit/bundled', expectServers: 3, audit: { timeoutMs: 2_000 } },
        { name: 'bundled-degraded', servers: [...c.urls, DEAD_URL], credentialsSecret: 'nats-audit/bundled', audit: { timeoutMs: 2_000 } },
        {
          name: 'bundled-rebalanced',
          servers: [...c.urls],
          credentialsSecret: 'nats-audit/bundled-rebalanced',
          expectServers: 3,
          audit: { timeoutMs: 2_000 },
          autoRebalance: { enabled: true, maxMovesPerEpoch: 2 },
        },
      ]),
      defaultRegistry(),
    );
    lambda = synthBundledLambda(fleet, stack);
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    lambda?.dispose();
  });

  /** Imports the bundle in a fresh process of `node`, as Lambda's runtime would, and invokes it once. */
  function invoke(
    event: Record<string, unknown>,
    node: string = lambdaNode(),
  ): Promise<{ outcome?: Record<string, unknown>; error?: string; stdout: string; nodeVersion?: string }> {
    const script = `
      process.stdout.write('NODE ' + process.versions.node + '\\n');
      const { handler } = await import(${JSON.stringify(pathToFileURL(lambda.bundle).href)});
      try {
        const outcome = await handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 60000 });
        process.stdout.write('OUTCOME ' + JSON.stringify(outcome) + '\\n');
      } catch (error) {
        process.stdout.write('ERROR ' + error.message + '\\n');
      }
      process.exit(0);`;
    return new Promise((resolve, reject) => {
      execFile(node, ['--input-type=module', '-e', script], { env: lambda.env, timeout: INVOKE_TIMEOUT_MS }, (error, stdout) => {
        if (error) {
          reject(new Error(`the bundled handler process failed: ${error.message}\n${stdout}`));
          return;
        }
        const outcome = /^OUTCOME (.*)$/m.exec(stdout)?.[1];
        resolve({
          outcome: outcome ? (JSON.parse(outcome) as Record<string, unknown>) : undefined,
          error: /^ERROR (.*)$/m.exec(stdout)?.[1],
          stdout,
          nodeVersion: /^NODE (.*)$/m.exec(stdout)?.[1],
        });
      });
    });
  }

  it('carries the clusters in its environment as the stack wrote them', () => {
    const clusters = JSON.parse(lambda.env[ENVIRONMENT.clusters]!) as { name: string }[];
    expect(clusters.map((c) => c.name)).toEqual(['bundled', 'bundled-degraded', 'bundled-rebalanced']);
  });

  it('audits a healthy cluster on the Lambda runtime and on the test runner\'s Node: ok, nothing published, each run recorded, one line logged', async () => {
    // Prepare
    const queue = await stack.subscribe({ cluster: ['bundled'] });
    await cluster().waitForMetaLeader();

    // Act
    const onLambda = await invoke({ cluster: 'bundled', scheduledTime: '2026-11-23T12:00:00Z' });
    const onRunner = await invoke({ cluster: 'bundled', scheduledTime: '2026-11-23T12:01:00Z' }, process.execPath);

    // Assess
    expect(onLambda.nodeVersion?.split('.')[0]).toBe(String(LAMBDA_NODE_MAJOR));
    expect(onRunner.nodeVersion).toBe(process.versions.node);
    for (const [i, result] of [onLambda, onRunner].entries()) {
      expect(result.error).toBeUndefined();
      expect(result.outcome, result.stdout).toMatchObject({ cluster: 'bundled', status: 'ok', epoch: i + 1, notified: 0 });
      // One line per quiet epoch, and no per-cluster metric (the watchdog's are per environment).
      const lines = result.stdout.split('\n').filter((l) => l.startsWith('{'));
      expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([expect.objectContaining({ message: 'epoch done', cluster: 'bundled', status: 'ok', servers: 3 })]);
      expect(result.stdout).not.toContain('CloudWatchMetrics');
      expect(result.stdout).not.toContain(cluster().system.password);
    }
    expect(await queue.drain()).toEqual([]);
    const runs = await new DynamoDbRunLedger({ client: stack.dynamo.client, tableName: stack.dynamo.tableName }).recentRuns('bundled', 5);
    expect(runs.map((r) => r.record.status)).toEqual(['ok', 'ok']);
  });

  it('publishes a new finding to SNS with its filterable attributes', async () => {
    // Prepare
    const queue = await stack.subscribe({ cluster: ['bundled-degraded'], severity: ['warning'] });

    // Act
    const result = await invoke({ cluster: 'bundled-degraded', scheduledTime: '2026-11-23T12:00:00Z' });

    // Assess
    expect(result.outcome).toMatchObject({ status: 'warning', notified: 1 });
    const [message, ...more] = await queue.drain();
    expect(more).toEqual([]);
    expect(message!.attributes).toEqual({ severity: 'warning', check: 'vantage_failed', cluster: 'bundled-degraded', transition: 'new' });
    const envelope = JSON.parse(message!.body) as { default: string; email: string };
    expect(JSON.parse(envelope.default)).toMatchObject({ version: '1.0', source: 'custom' });
    expect(envelope.email).toContain('vantage_failed on cluster bundled-degraded');
  });

  it('loads the rebalancing code from its own chunk when a persistent uneven distribution calls for it', async () => {
    // Prepare (last: the leaders it piles onto n1 would make the other clusters uneven too)
    const c = cluster();
    stack.secrets.put(
      'nats-audit/bundled-rebalanced',
      JSON.stringify({ user: c.system.user, password: c.system.password, accounts: { APP: { user: c.app.user, password: c.app.password } } }),
    );
    const app = await c.connect({ as: 'app' });
    try {
      const streams = await createReplicatedStreams(app, { count: 6, replicas: 3, consumersPerStream: 1 });
      await concentrateLeaders(app, { onto: 'n1', streams, consumers: true });
      const queue = await stack.subscribe({ cluster: ['bundled-rebalanced'], transition: ['remediation'] });

      // Act: a fresh process each time, so the second one must find the chunk beside index.mjs.
      const transient = await invoke({ cluster: 'bundled-rebalanced', scheduledTime: '2026-11-23T12:00:00Z' });
      const persistent = await invoke({ cluster: 'bundled-rebalanced', scheduledTime: '2026-11-23T12:01:00Z' });

      // Assess
      const leadersMoved = [transient, persistent].map((r) => {
        const line = r.stdout.split('\n').find((l) => l.includes('"epoch done"'));
        return (JSON.parse(line ?? '{}') as { leadersMoved?: number }).leadersMoved;
      });
      expect(leadersMoved, persistent.stdout).toEqual([0, 2]);
      expect(persistent.stdout).not.toContain('auto-rebalance failed');
      const [notice, ...more] = await queue.drain();
      expect(more).toEqual([]);
      expect((JSON.parse(notice!.body) as { email: string }).email).toContain('Auto-rebalance moved 2 of 2 leaders attempted');
    } finally {
      await app.close();
    }
  });
});
