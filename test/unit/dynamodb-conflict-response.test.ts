/**
 * The conflict branch of DynamoDbStateStore.save against DynamoDB's own
 * answer. dynalite ignores ReturnValuesOnConditionCheckFailure, and no
 * DynamoDB-protocol server on npm implements it without Amazon's DynamoDB
 * Local (whose terms rule it out) or Docker, so the SDK talks here to a
 * loopback HTTP server that answers PutItem with the response DynamoDB sends
 * (test/fixtures/dynamodb). Everything between the HTTP bytes and the
 * StateConflictError is the real SDK: its deserializer must produce a
 * ConditionalCheckFailedException carrying the Item, and the store must take
 * the revision from it without a second request.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { crc32 } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStateStore } from '../../lib/state/dynamodb-state-store.js';
import { StateConflictError } from '../../lib/state/state-store.js';

interface RecordedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const RESPONSE = JSON.parse(
  readFileSync(new URL('../fixtures/dynamodb/conditional-check-failed-put-item.json', import.meta.url), 'utf8'),
) as RecordedResponse;
const STORED_STATE = { revision: 7, epoch: 7, open: [], history: [] };

interface SeenRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

const seen: SeenRequest[] = [];
let server: Server;
let endpoint: string;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((text) => {
      seen.push({ target: String(request.headers['x-amz-target']), body: JSON.parse(text) as Record<string, unknown> });
      const body = JSON.stringify(RESPONSE.body).replace('"{{STATE}}"', JSON.stringify(JSON.stringify(STORED_STATE)));
      response.writeHead(RESPONSE.status, { ...RESPONSE.headers, 'x-amz-crc32': String(crc32(body)), 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('DynamoDbStateStore.save against DynamoDB’s conditional-check answer', () => {
  it('takes the found revision from the Item the failure carries, with one request and no read-back', async () => {
    // Prepare
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      maxAttempts: 1,
    });
    const store = new DynamoDbStateStore({ client, tableName: 'nats-audit-state' });

    try {
      // Act
      const error = await store.save('payments-eu', { revision: 5, epoch: 5, open: [], history: [] }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StateConflictError);
      expect((error as Error).message).toBe('state for payments-eu changed while this epoch ran (expected revision 4, found 7)');
      expect(seen.map((r) => r.target)).toEqual(['DynamoDB_20120810.PutItem']);
      expect(seen[0]!.body).toMatchObject({
        TableName: 'nats-audit-state',
        ConditionExpression: '#revision = :expected',
        ExpressionAttributeValues: { ':expected': { N: '4' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    } finally {
      client.destroy();
    }
  });
});
