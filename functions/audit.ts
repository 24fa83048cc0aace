/**
 * The scheduled auditor's Lambda entry point: builds the adapters once per
 * container (so warm invocations reuse connections and the cached secret)
 * and hands each event to the core handler. Everything else lives in lib/.
 *
 * One function serves two schedules: each cluster's audit
 * (`{"cluster", "scheduledTime"}`) and the environment's watchdog
 * (`{"watchdog", "scheduledTime"}`), which judges every cluster's latest run.
 *
 * The SNS client is imported when there is first something to publish, not
 * here: most epochs publish nothing, and the bundle keeps it in a chunk of
 * its own, out of every cold start (lib/infra/audit-bundle.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultRegistry } from '../lib/checks/index.js';
import { ConfigError } from '../lib/errors.js';
import { lazyNotifier } from '../lib/notify/lazy-notifier.js';
import { createAuditHandler, type AuditOutcome, type InvocationContext } from '../lib/serverless/audit-handler.js';
import { readLambdaEnvironment, topicRegion, ENVIRONMENT, type LambdaEnvironment } from '../lib/serverless/lambda-environment.js';
import { isWatchdogEvent } from '../lib/serverless/lambda-event.js';
import { replyBudgetBytes } from '../lib/serverless/reply-budget.js';
import { jsonLogger, type Logger } from '../lib/serverless/log.js';
import { createWatchdog, type WatchdogOutcome } from '../lib/serverless/watchdog.js';
import { SecretReader } from '../lib/secrets/secret-reader.js';
import { DynamoDbRunLedger } from '../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore } from '../lib/state/dynamodb-state-store.js';
import { DynamoDbWatchdogMemory } from '../lib/state/dynamodb-watchdog-memory.js';
import { errorText } from '../lib/util/error-text.js';

type Handler = (event: unknown, context: InvocationContext) => Promise<AuditOutcome | WatchdogOutcome>;

let ready: Handler | undefined;

export async function handler(event: unknown, context: InvocationContext): Promise<AuditOutcome | WatchdogOutcome> {
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
  const ledger = new DynamoDbRunLedger({ client: dynamodb, tableName: config.tableName, retentionDays: config.historyDays });
  const { topicArn } = config;
  const audit = createAuditHandler({
    clusters: config.clusters,
    registry: defaultRegistry(),
    store: new DynamoDbStateStore({ client: dynamodb, tableName: config.tableName }),
    ledger,
    notifier: lazyNotifier(async () => {
      const [{ SNSClient }, { SnsNotifier }] = await Promise.all([import('@aws-sdk/client-sns'), import('../lib/notify/sns-notifier.js')]);
      return new SnsNotifier({ client: new SNSClient({ region: topicRegion(topicArn) }), topicArn });
    }),
    secrets: new SecretReader({ client: new SecretsManagerClient({}) }),
    logger,
    // Lambda sets it; the replies an epoch may hold must leave room to judge them in this much memory.
    maxSampleBytes: replyBudgetBytes(Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? Number.NaN)),
  });
  let watchdog: ((event: unknown) => Promise<WatchdogOutcome>) | undefined;
  return async (event, context) => {
    if (!isWatchdogEvent(event)) return audit(event, context);
    watchdog ??= buildWatchdog(config, dynamodb, ledger, logger);
    return watchdog(event);
  };
}

function buildWatchdog(config: LambdaEnvironment, dynamodb: DynamoDBClient, ledger: DynamoDbRunLedger, logger: Logger): (event: unknown) => Promise<WatchdogOutcome> {
  const { environmentName, healthTopicArn } = config;
  if (!environmentName || !healthTopicArn) {
    const missing = environmentName ? ENVIRONMENT.healthTopicArn : ENVIRONMENT.environment;
    return async () => {
      logger.log('error', 'invalid function environment', { error: `${missing} is not set` });
      throw new ConfigError(missing, 'is not set (the watchdog needs it)');
    };
  }
  return createWatchdog({
    environment: environmentName,
    clusters: config.clusters,
    ledger,
    memory: new DynamoDbWatchdogMemory({ client: dynamodb, tableName: config.tableName }),
    publish: async (notice) => {
      const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
      sns ??= new SNSClient({ region: topicRegion(healthTopicArn) });
      await sns.send(new PublishCommand({ TopicArn: healthTopicArn, Subject: notice.subject, Message: notice.message }));
    },
    logger,
    metrics: (line) => process.stdout.write(`${line}\n`),
  });
}

let sns: import('@aws-sdk/client-sns').SNSClient | undefined;
