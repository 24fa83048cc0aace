/**
 * The scheduled auditor's Lambda entry point: builds the adapters once per
 * container (so warm invocations reuse connections and the cached secret)
 * and hands each event to the core handler. Everything else lives in lib/.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { defaultRegistry } from '../lib/checks/index.js';
import { SnsNotifier } from '../lib/notify/sns-notifier.js';
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
  return createAuditHandler({
    clusters: config.clusters,
    registry: defaultRegistry(),
    store: new DynamoDbStateStore({ client: dynamodb, tableName: config.tableName }),
    ledger: new DynamoDbRunLedger({ client: dynamodb, tableName: config.tableName, retentionDays: config.historyDays }),
    notifier: new SnsNotifier({ client: new SNSClient({ region: topicRegion(config.topicArn) }), topicArn: config.topicArn }),
    secrets: new SecretReader({ client: new SecretsManagerClient({}) }),
    logger,
    metrics: (line) => process.stdout.write(`${line}\n`),
  });
}
