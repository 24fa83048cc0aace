/**
 * The scheduled auditor's Lambda entry point: builds the adapters once per
 * container (so warm invocations reuse connections and the cached secret)
 * and hands each event to the core handler. Everything else lives in lib/.
 *
 * The SNS client is imported when there is first something to publish, not
 * here: most epochs publish nothing, and the bundle keeps it in a chunk of
 * its own, out of every cold start (lib/infra/audit-bundle.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultRegistry } from '../lib/checks/index.js';
import { lazyNotifier } from '../lib/notify/lazy-notifier.js';
import { createAuditHandler, type AuditOutcome, type InvocationContext } from '../lib/serverless/audit-handler.js';
import { readLambdaEnvironment, topicRegion } from '../lib/serverless/lambda-environment.js';
import { jsonLogger } from '../lib/serverless/log.js';
import { SecretReader } from '../lib/secrets/secret-reader.js';
import { DynamoDbRunLedger } from '../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore } from '../lib/state/dynamodb-state-store.js';
import { errorText } from '../lib/util/error-text.js';

type Handler = (event: unknown, context: InvocationContext) => Promise<AuditOutcome>;

let ready: Handler | undefined;

export async function handler(event: unknown, context: InvocationContext): Promise<AuditOutcome> {
  ready ??= init(process.env);
  return ready(event, context);
}

function init(env: NodeJS.ProcessEnv): Handler {
  const logger = jsonLogger();
  let config;
  try {
    config = readLambdaEnvironment(env);
  } catch (error) {
    // Logged on every invocation rather than crashing init, so the reason is next to each failure.
    const message = errorText(error);
    return async () => {
      logger.log('error', 'invalid function environment', { error: message });
      throw error;
    };
  }
  const dynamodb = new DynamoDBClient({});
  const { topicArn } = config;
  return createAuditHandler({
    clusters: config.clusters,
    registry: defaultRegistry(),
    store: new DynamoDbStateStore({ client: dynamodb, tableName: config.tableName }),
    ledger: new DynamoDbRunLedger({ client: dynamodb, tableName: config.tableName, retentionDays: config.historyDays }),
    notifier: lazyNotifier(async () => {
      const [{ SNSClient }, { SnsNotifier }] = await Promise.all([import('@aws-sdk/client-sns'), import('../lib/notify/sns-notifier.js')]);
      return new SnsNotifier({ client: new SNSClient({ region: topicRegion(topicArn) }), topicArn });
    }),
    secrets: new SecretReader({ client: new SecretsManagerClient({}) }),
    logger,
    metrics: (line) => process.stdout.write(`${line}\n`),
  });
}
