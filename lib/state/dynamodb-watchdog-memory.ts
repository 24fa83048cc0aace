import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { watchdogKey } from './dynamodb-table.js';
import { emptyRecall, watchdogRecallSchema, type WatchdogMemory, type WatchdogRecall } from './watchdog-memory.js';

export interface DynamoDbWatchdogMemoryOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** The watchdog's recall in the state table (`pk = environment#<name>`, `sk = watchdog`). */
export class DynamoDbWatchdogMemory implements WatchdogMemory {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: DynamoDbWatchdogMemoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async load(environment: string): Promise<WatchdogRecall> {
    const { Item: item } = await this.#client.send(new GetItemCommand({ TableName: this.#tableName, Key: watchdogKey(environment) }));
    const text = item?.recall?.S;
    if (text === undefined) return emptyRecall();
    // An unreadable item is replaced at the next save: at worst one change is announced twice.
    try {
      const parsed = watchdogRecallSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : emptyRecall();
    } catch {
      return emptyRecall();
    }
  }

  async save(environment: string, recall: WatchdogRecall): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: { ...watchdogKey(environment), recall: { S: JSON.stringify(recall) }, updatedAt: { N: String(Date.now()) } },
      }),
    );
  }
}
