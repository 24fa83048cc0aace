import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { clusterPartition, leaseKey, runKey, SORT_KEYS, STATE_TABLE, ttlSeconds } from './dynamodb-table.js';
import { capRunRecord, type RunEntry, type RunLedger, type RunRecord } from './run-ledger.js';

const DAY_S = 86_400;

export interface DynamoDbRunLedgerOptions {
  /** Injected so the Lambda builds one per container and tests point it at a local server. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a run record is kept before DynamoDB's TTL removes it. @default 30 */
  readonly retentionDays?: number;
}

const runRecordSchema: z.ZodType<RunRecord> = z.object({
  status: z.enum(['ok', 'warning', 'critical', 'unknown', 'failed']),
  epoch: z.number().int().min(0),
  counts: z.object({ critical: z.number(), warning: z.number(), resolved: z.number() }),
  notified: z.number(),
  durationMs: z.number(),
  findings: z.array(z.object({ check: z.string(), subject: z.string(), severity: z.enum(['warning', 'critical']) })),
  error: z.string().optional(),
});

/**
 * The Lambda's run ledger, in the state table beside the cluster's state
 * (`sk = lease` and `sk = run#<time>`). Every decision is a conditional write,
 * so two invocations racing on one cluster cannot both win.
 */
export class DynamoDbRunLedger implements RunLedger {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #retentionS: number;

  constructor(options: DynamoDbRunLedgerOptions) {
    const retentionDays = options.retentionDays ?? 30;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new RangeError(`retentionDays must be a whole number of days, at least 1 (got ${retentionDays})`);
    }
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionS = retentionDays * DAY_S;
  }

  async acquireLease(clusterKey: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const leaseUntil = now + leaseMs;
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...leaseKey(clusterKey),
            owner: { S: owner },
            leaseUntil: { N: String(leaseUntil) },
            // The holder normally deletes it; an invocation that died leaves
            // it to expire (and be taken over) and TTL removes it a day on.
            [STATE_TABLE.ttlAttribute]: { N: String(ttlSeconds(leaseUntil) + DAY_S) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #leaseUntil < :now OR #owner = :owner',
          // OWNER is a DynamoDB reserved word.
          ExpressionAttributeNames: { '#leaseUntil': 'leaseUntil', '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': { N: String(now) }, ':owner': { S: owner } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseLease(clusterKey: string, owner: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: leaseKey(clusterKey),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      // Expired and taken over by another invocation: theirs now.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async hasRun(clusterKey: string, scheduledTime: string): Promise<boolean> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#tableName,
        Key: runKey(clusterKey, scheduledTime),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    return item !== undefined;
  }

  async recordRun(clusterKey: string, scheduledTime: string, record: RunRecord, now: number): Promise<boolean> {
    const capped = capRunRecord(record);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...runKey(clusterKey, scheduledTime),
            record: { S: JSON.stringify(capped) },
            // Top-level so the console and a Scan filter can find failed runs.
            status: { S: capped.status },
            recordedAt: { N: String(now) },
            [STATE_TABLE.ttlAttribute]: { N: String(ttlSeconds(now) + this.#retentionS) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Eventually consistent (half the read cost): the watchdog judges runs
   * minutes old, so a record a second late changes nothing.
   */
  async lastRun(clusterKey: string): Promise<RunEntry | undefined> {
    return (await this.#query(clusterKey, 1, false))[0];
  }

  /** The cluster's run records, newest scheduled time first: the audit trail. */
  async recentRuns(clusterKey: string, limit: number): Promise<RunEntry[]> {
    return this.#query(clusterKey, limit, true);
  }

  async #query(clusterKey: string, limit: number, consistent: boolean): Promise<RunEntry[]> {
    const { Items: items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: clusterPartition(clusterKey) }, ':prefix': { S: SORT_KEYS.runPrefix } },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: consistent,
      }),
    );
    return items.map((item) => readRunItem(clusterKey, item));
  }
}

function readRunItem(clusterKey: string, item: Record<string, AttributeValue>): RunEntry {
  const sk = item.sk?.S ?? '';
  try {
    return {
      scheduledTime: sk.slice(SORT_KEYS.runPrefix.length),
      recordedAt: z.coerce.number().parse(item.recordedAt?.N),
      record: runRecordSchema.parse(JSON.parse(item.record?.S ?? '')),
    };
  } catch (error) {
    throw new Error(`run record ${sk} of ${clusterKey} is unreadable`, { cause: error });
  }
}
