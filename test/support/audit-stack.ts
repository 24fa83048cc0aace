/**
 * The scheduled auditor's AWS side on loopback: DynamoDB (dynalite), SNS/SQS
 * (fauxqs, reached through a TCP proxy so "SNS is down" is a cut link) and
 * Secrets Manager, with the real SDK clients and adapters the Lambda uses.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { defaultRegistry } from '../../lib/checks/index.js';
import { parseFleetConfig, type ClusterAuditConfig, type FleetConfigInput } from '../../lib/fleet/fleet-config.js';
import { startTcpProxy, type TcpProxy } from '../../lib/local-cluster/tcp-proxy.js';
import { SnsNotifier } from '../../lib/notify/sns-notifier.js';
import { SecretReader } from '../../lib/secrets/secret-reader.js';
import { createAuditHandler, type AuditHandlerDeps } from '../../lib/serverless/audit-handler.js';
import { jsonLogger } from '../../lib/serverless/log.js';
import { DynamoDbRunLedger } from '../../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore } from '../../lib/state/dynamodb-state-store.js';
import { startDynalite, type Dynalite } from './dynalite.js';
import { startFauxqs, type Fauxqs, type SubscribedQueue } from './fauxqs.js';
import { testFleet } from './fleet-file.js';
import { startSecretsManager, type SecretsManagerServer } from './secrets-manager.js';

export interface AuditStack {
  readonly dynamo: Dynalite;
  readonly sns: Fauxqs;
  readonly secrets: SecretsManagerServer;
  /** Between the notifier and fauxqs: `cut()` makes SNS unreachable. */
  readonly snsLink: TcpProxy;
  readonly topicArn: string;
  /** The SNS endpoint through the proxy, for clients built elsewhere (the bundled Lambda). */
  readonly snsEndpoint: string;
  /** Every line the handler logged, for assertions. */
  readonly logs: string[];
  /**
   * The one line each epoch logs (`epoch done`, or `epoch failed; ...` when
   * it threw), parsed, with `failed` set when the audit could not run: what
   * the per-cluster metrics carried before the watchdog replaced them.
   */
  epochLines(cluster: string): EpochLine[];
  /** A queue subscribed raw with this filter policy (none: everything). */
  subscribe(filterPolicy?: Record<string, unknown>): Promise<SubscribedQueue>;
  /** A handler over these adapters for the given clusters; `overrides` replace adapters (e.g. an unreachable store). */
  handler(clusters: readonly ClusterAuditConfig[], overrides?: Partial<AuditHandlerDeps>): ReturnType<typeof createAuditHandler>;
  close(): Promise<void>;
}

export interface EpochLine {
  readonly message: string;
  readonly status?: string;
  readonly servers?: number;
  readonly leadersMoved?: number;
  readonly failed: boolean;
  readonly [field: string]: unknown;
}

const EPOCH_MESSAGES = new Set(['epoch done', 'epoch failed; state not advanced']);

export async function startAuditStack(): Promise<AuditStack> {
  const dynamo = await startDynalite();
  const sns = await startFauxqs();
  const secrets = await startSecretsManager();
  const snsLink = await startTcpProxy({ targetPort: Number(new URL(sns.endpoint).port) });
  const snsEndpoint = `http://127.0.0.1:${snsLink.port}`;
  const topicArn = await sns.createTopic('nats-audit-findings');
  const snsClient = new SNSClient({
    endpoint: snsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
  const logs: string[] = [];
  return {
    dynamo,
    sns,
    secrets,
    snsLink,
    topicArn,
    snsEndpoint,
    logs,
    epochLines: (cluster) =>
      logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.cluster === cluster && EPOCH_MESSAGES.has(String(line.message)))
        .map((line) => ({ ...line, message: String(line.message), failed: line.message !== 'epoch done' || line.status === 'failed' })),
    subscribe: (filterPolicy) => sns.subscribeQueue(topicArn, filterPolicy, { raw: true }),
    handler: (clusters, overrides = {}) =>
      createAuditHandler({
        clusters: new Map(clusters.map((c) => [c.name, c])),
        registry: defaultRegistry(),
        store: new DynamoDbStateStore({ client: dynamo.client, tableName: dynamo.tableName }),
        ledger: new DynamoDbRunLedger({ client: dynamo.client, tableName: dynamo.tableName }),
        notifier: new SnsNotifier({ client: snsClient, topicArn }),
        secrets: new SecretReader({ client: secrets.client }),
        logger: jsonLogger((line) => logs.push(line)),
        ...overrides,
      }),
    async close() {
      snsClient.destroy();
      await snsLink.close();
      await Promise.allSettled([dynamo.close(), sns.close(), secrets.close()]);
    },
  };
}

/** Resolved cluster configs from fleet-file entries, exactly as the Lambda receives them. */
export function clusterConfigs(clusters: Parameters<typeof testFleet>[0], extra: Partial<FleetConfigInput> = {}): ClusterAuditConfig[] {
  return [...parseFleetConfig(testFleet(clusters, extra), defaultRegistry()).clusters];
}

/** A Lambda context with a fresh request id. */
let requests = 0;
export function lambdaContext(remainingMs = 60_000) {
  return { awsRequestId: `req-${process.pid}-${++requests}`, getRemainingTimeInMillis: () => remainingMs };
}
