/**
 * A real DynamoDB-protocol server for tests: dynalite in this process on a
 * loopback port, with the state table created from the same key schema the
 * CDK stack uses. Conditional writes behave as DynamoDB's do; TTL deletion
 * does not run (tests read the attribute instead).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STATE_TABLE } from '../../lib/state/dynamodb-table.js';
import { pollUntil } from '../../lib/util/poll.js';

const LOOPBACK = '127.0.0.1';
/** createTableMs 0 makes the table ACTIVE on the next tick; generous for a loaded CI box. */
const TABLE_ACTIVE_TIMEOUT_MS = 10_000;
/** dynalite waits up to 30 s for its store to close; a test run should not. */
const CLOSE_TIMEOUT_MS = 5_000;
/** For the unreachable client: a refused connection fails at once, this only bounds the odd stuck one. */
const UNREACHABLE_TIMEOUT_MS = 1_000;
/** Dynalite checks a signature is present, not that it is valid. */
const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

interface DynaliteOptions {
  readonly createTableMs: number;
  readonly deleteTableMs: number;
  readonly updateTableMs: number;
}
// dynalite is CommonJS without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface Dynalite extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** A table unique to this server, keyed as the stack's table is. */
  readonly tableName: string;
  /** Destroys the client and stops the server; idempotent. */
  close(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server);
  const endpoint = `http://${LOOPBACK}:${port}`;
  const client = dynamoDbClient(endpoint);
  const tableName = `nats-audit-test-${randomBytes(4).toString('hex')}`;

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= stop(client, server));
  try {
    await createStateTable(client, tableName);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, client, tableName, close, [Symbol.asyncDispose]: close };
}

/**
 * A client for a loopback port nothing listens on, failing on the first
 * attempt: for "DynamoDB is unreachable" tests. Destroy it after use.
 */
export async function unreachableDynamoDbClient(): Promise<DynamoDBClient> {
  // Bind a free port and let it go: nothing listens there any more.
  const probe = createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return dynamoDbClient(`http://${LOOPBACK}:${port}`, {
    maxAttempts: 1,
    requestHandler: { connectionTimeout: UNREACHABLE_TIMEOUT_MS, requestTimeout: UNREACHABLE_TIMEOUT_MS },
  });
}

function dynamoDbClient(endpoint: string, extra: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {}): DynamoDBClient {
  return new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: DUMMY_CREDENTIALS, ...extra });
}

async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey } = STATE_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        { AttributeName: sortKey.name, AttributeType: sortKey.type },
      ],
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
    }),
  );
  const active = await pollUntil(
    async () => ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus === 'ACTIVE' ? true : undefined),
    { timeoutMs: TABLE_ACTIVE_TIMEOUT_MS, intervalMs: 10 },
  );
  if (!active) throw new Error(`dynalite table ${tableName} did not become ACTIVE within ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function stop(client: DynamoDBClient, server: Server): Promise<void> {
  client.destroy();
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  // Keep-alive sockets would hold server.close open until they idle out.
  server.closeAllConnections();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`dynalite did not stop within ${CLOSE_TIMEOUT_MS} ms`)), CLOSE_TIMEOUT_MS);
  });
  try {
    await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
