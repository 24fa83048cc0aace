import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readEncodedSnapshot, type EncodedLoadSnapshot } from '../load/load-snapshot.js';
import { emptyState, readAuditState, type AuditState } from './audit-state.js';
import { consumerCountersKey, stateKey } from './dynamodb-table.js';
import { StateConflictError, type ConsumerCounterStore, type LoadedState, type StateStore } from './state-store.js';

export interface DynamoDbStateStoreOptions {
  /** Injected so the Lambda builds one per container and tests point it at a local server. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Clock for `updatedAt`. @default Date.now */
  readonly now?: () => number;
}

/**
 * The Lambda's state store: one item per cluster (`sk = state`) holding the
 * AuditState as gzip-compressed JSON (`stateGz`, binary), with its revision
 * copied into a number attribute so saves can be conditional on it.
 *
 * Compressed because DynamoDB bills a write per started KB of the whole item,
 * every epoch: a full history of 100 epoch summaries repeats the same server
 * names and is ~10 KB as JSON (10 write units) but ~1 KB compressed. Items
 * saved before as a plain JSON string (`state`) are still read.
 *
 * Item size: DynamoDB refuses items over 400 KB. The state is bounded by
 * HISTORY_LIMIT epoch summaries plus the open findings, tens of KB for a
 * cluster of a few dozen servers; should one ever outgrow it, PutItem fails
 * with a ValidationException that the epoch reports as a save notice.
 *
 * Consumer counters (ConsumerCounterStore) are an item of their own
 * (`sk = consumer-counters`, gzip-compressed JSON in `countersGz`), read and
 * written only on the epochs that rate consumers.
 */
export class DynamoDbStateStore implements StateStore, ConsumerCounterStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(options: DynamoDbStateStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  async load(clusterKey: string): Promise<LoadedState> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: stateKey(clusterKey), ConsistentRead: true }),
    );
    if (!item) return { state: emptyState() };
    const read = readItem(item);
    if ('state' in read) return read;
    // Keep the stored revision so the next save's condition matches and
    // replaces the item; starting at 0 would conflict with it forever.
    const where = `state item for ${clusterKey} in table ${this.#tableName}`;
    return {
      state: { ...emptyState(), revision: storedRevision(item) },
      notice: `${where} ${read.problem}; starting from an empty state and replacing it`,
    };
  }

  async save(clusterKey: string, state: AuditState): Promise<void> {
    const expected = state.revision - 1;
    // An item without a revision attribute is one the first save may
    // replace: it cannot have come from a save (see load's corrupt case).
    const condition =
      expected === 0
        ? { ConditionExpression: 'attribute_not_exists(#revision)' }
        : { ConditionExpression: '#revision = :expected', ExpressionAttributeValues: { ':expected': { N: String(expected) } } };
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...stateKey(clusterKey),
            stateGz: { B: encodeState(state) },
            revision: { N: String(state.revision) },
            updatedAt: { N: String(this.#now()) },
          },
          ...condition,
          ExpressionAttributeNames: { '#revision': 'revision' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const found = error.Item ? storedRevision(error.Item) : await this.#readRevision(clusterKey);
      throw new StateConflictError(clusterKey, expected, found);
    }
  }

  async loadConsumerCounters(clusterKey: string): Promise<EncodedLoadSnapshot | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: consumerCountersKey(clusterKey), ConsistentRead: true }),
    );
    const packed = item?.countersGz?.B;
    if (packed === undefined) return undefined;
    // Unreadable counters cost one delivery rate, not the epoch: the next save replaces them.
    try {
      const parsed = readEncodedSnapshot(JSON.parse(gunzipSync(packed, { maxOutputLength: MAX_STATE_BYTES }).toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async saveConsumerCounters(clusterKey: string, counters: EncodedLoadSnapshot): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: {
          ...consumerCountersKey(clusterKey),
          countersGz: { B: gzipSync(JSON.stringify(counters), { level: GZIP_LEVEL }) },
          updatedAt: { N: String(this.#now()) },
        },
      }),
    );
  }

  /**
   * For the conflict message only, when the failure did not carry the item
   * (DynamoDB-compatible servers without ReturnValuesOnConditionCheckFailure).
   * The conflict itself is certain, so a failed read must not replace it.
   */
  async #readRevision(clusterKey: string): Promise<number> {
    try {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: stateKey(clusterKey),
          ConsistentRead: true,
          ProjectionExpression: '#revision',
          ExpressionAttributeNames: { '#revision': 'revision' },
        }),
      );
      return item ? storedRevision(item) : 0;
    } catch {
      return 0;
    }
  }
}

/** Compression level: the item is a few KB, so the best ratio costs well under a millisecond. */
const GZIP_LEVEL = 9;
/** A state item is at most 400 KB compressed; this bounds what decompressing a hostile one may allocate. */
const MAX_STATE_BYTES = 16 * 1024 * 1024;

export function encodeState(state: AuditState): Uint8Array {
  return gzipSync(JSON.stringify(state), { level: GZIP_LEVEL });
}

/** The stored JSON text: the compressed attribute, else the plain one of earlier versions. */
function stateText(item: Record<string, AttributeValue>): string | { problem: string } {
  const packed = item.stateGz?.B;
  if (packed !== undefined) {
    try {
      return gunzipSync(packed, { maxOutputLength: MAX_STATE_BYTES }).toString('utf8');
    } catch {
      return { problem: 'is not valid gzip' };
    }
  }
  return item.state?.S ?? { problem: 'has neither a binary attribute "stateGz" nor a string attribute "state"' };
}

/** The stored state, or why the item cannot be trusted. */
function readItem(item: Record<string, AttributeValue>): { state: AuditState } | { problem: string } {
  const text = stateText(item);
  if (typeof text !== 'string') return text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'is not valid JSON' };
  }
  const parsed = readAuditState(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `is corrupt (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})` };
  }
  const revision = item.revision?.N;
  if (revision === undefined || Number(revision) !== parsed.data.revision) {
    return { problem: `is corrupt (revision attribute ${revision ?? 'missing'} does not match the state's revision ${parsed.data.revision})` };
  }
  return { state: parsed.data };
}

/** The revision the save condition compares against; 0 when the attribute is absent or not a number. */
function storedRevision(item: Record<string, AttributeValue>): number {
  const revision = Number(item.revision?.N);
  return Number.isSafeInteger(revision) && revision >= 0 ? revision : 0;
}
