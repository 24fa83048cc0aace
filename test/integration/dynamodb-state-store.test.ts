import { gunzipSync } from 'node:zlib';
import { GetItemCommand, PutItemCommand, ResourceNotFoundException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditState } from '../../lib/state/audit-state.js';
import { DynamoDbRunLedger } from '../../lib/state/dynamodb-run-ledger.js';
import { DynamoDbStateStore } from '../../lib/state/dynamodb-state-store.js';
import { consumerCountersKey, leaseKey, runKey, stateKey, type ItemKey } from '../../lib/state/dynamodb-table.js';
import { StateConflictError } from '../../lib/state/state-store.js';
import { startDynalite, unreachableDynamoDbClient, type Dynalite } from '../support/dynalite.js';
import { consumerCounterContract } from '../support/consumer-counter-contract.js';
import { runLedgerContract, runRecord } from '../support/run-ledger-contract.js';
import { stateAt } from '../support/state-fixtures.js';

const DAY_S = 86_400;

const state = stateAt;

let db: Dynalite;
beforeEach(async () => {
  db = await startDynalite();
});
afterEach(async () => {
  await db.close();
});

async function rawItem(key: ItemKey): Promise<Record<string, AttributeValue> | undefined> {
  return (await db.client.send(new GetItemCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }))).Item;
}

async function putRaw(item: Record<string, AttributeValue>): Promise<void> {
  await db.client.send(new PutItemCommand({ TableName: db.tableName, Item: item }));
}

describe('DynamoDbStateStore', () => {
  const store = (now?: () => number) => new DynamoDbStateStore({ client: db.client, tableName: db.tableName, now });

  consumerCounterContract(() => ({
    store: () => store(),
    corrupt: (clusterKey) => putRaw({ ...consumerCountersKey(clusterKey), countersGz: { B: new TextEncoder().encode('not gzip') } }),
  }), { persists: true });

  it('starts empty when the cluster has no item yet', async () => {
    // Act
    const loaded = await store().load('c1');

    // Assess
    expect(loaded).toEqual({ state: { revision: 0, epoch: 0, open: [], history: [] } });
  });

  it('round-trips a state as one item holding its compressed JSON, revision and save time', async () => {
    // Act
    await store(() => 42_000).save('c1', state(1));
    const loaded = await store().load('c1');

    // Assess
    expect(loaded).toEqual({ state: state(1) });
    const item = await rawItem(stateKey('c1'));
    expect(item).toEqual({ ...stateKey('c1'), stateGz: { B: expect.any(Uint8Array) }, revision: { N: '1' }, updatedAt: { N: '42000' } });
    expect(JSON.parse(gunzipSync(item!.stateGz!.B!).toString('utf8'))).toEqual(state(1));
  });

  it('still reads a state item saved as a plain JSON string by earlier versions, and replaces it compressed', async () => {
    // Prepare
    await putRaw({ ...stateKey('old'), state: { S: JSON.stringify(state(3)) }, revision: { N: '3' } });

    // Act
    const loaded = await store().load('old');
    await store().save('old', state(4));

    // Assess
    expect(loaded).toEqual({ state: state(3) });
    const item = await rawItem(stateKey('old'));
    expect(item!.state).toBeUndefined();
    expect((await store().load('old')).state).toEqual(state(4));
  });

  it('reports a compressed attribute that is not gzip as corrupt and starts afresh', async () => {
    // Prepare
    await putRaw({ ...stateKey('garbled'), stateGz: { B: new TextEncoder().encode('not gzip at all') }, revision: { N: '5' } });

    // Act
    const loaded = await store().load('garbled');

    // Assess
    expect(loaded.state).toEqual({ revision: 5, epoch: 0, open: [], history: [] });
    expect(loaded.notice).toMatch(/state item for garbled in table .* is not valid gzip; starting from an empty state and replacing it/);
  });

  it('keeps each cluster’s state apart and follows successive revisions', async () => {
    // Act
    await store().save('east', state(1));
    await store().save('west', state(1));
    await store().save('east', state(2));

    // Assess
    expect((await store().load('east')).state).toEqual(state(2));
    expect((await store().load('west')).state).toEqual(state(1));
  });

  it('two savers from the same loaded revision: exactly one wins, the other gets a conflict naming both revisions', async () => {
    // Prepare
    await store().save('c1', state(1));
    const winner = { ...state(2), epoch: 20 };
    const loser = { ...state(2), epoch: 21 };

    // Act
    const results = await Promise.allSettled([store().save('c1', winner), store().save('c1', loser)]);

    // Assess
    const stored = (await store().load('c1')).state;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(StateConflictError);
    expect((rejected?.reason as Error).message).toBe('state for c1 changed while this epoch ran (expected revision 1, found 2)');
    expect([winner, loser]).toContainEqual(stored);
  });

  it('a first save conflicts when another writer created the item first', async () => {
    // Prepare
    await store().save('c1', state(1));

    // Act
    const late = store().save('c1', { ...state(1), epoch: 9 });

    // Assess
    await expect(late).rejects.toThrow(new StateConflictError('c1', 0, 1));
    expect((await store().load('c1')).state).toEqual(state(1));
  });

  it('refuses a save that skips a revision', async () => {
    // Prepare
    await store().save('c1', state(1));

    // Act / Assess
    await expect(store().save('c1', state(3))).rejects.toThrow(new StateConflictError('c1', 2, 1));
  });

  it('an item that is not JSON gives an empty state and a notice naming it, and the next save replaces it', async () => {
    // Prepare
    await putRaw({ ...stateKey('c1'), state: { S: '{"revision": 4, "ep' }, revision: { N: '4' } });
    const s = store();

    // Act
    const loaded = await s.load('c1');
    await s.save('c1', { ...state(loaded.state.revision + 1) });

    // Assess
    expect(loaded.state).toEqual({ revision: 4, epoch: 0, open: [], history: [] });
    expect(loaded.notice).toBe(`state item for c1 in table ${db.tableName} is not valid JSON; starting from an empty state and replacing it`);
    expect(await s.load('c1')).toEqual({ state: state(5) });
  });

  it('an item of the wrong shape gives a notice naming the bad field', async () => {
    // Prepare: a severity the state never holds.
    const bad = { ...state(2), open: [{ ...state(2).open[0], severity: 'info' }] };
    await putRaw({ ...stateKey('c1'), state: { S: JSON.stringify(bad) }, revision: { N: '2' } });

    // Act
    const loaded = await store().load('c1');

    // Assess
    expect(loaded.state).toEqual({ revision: 2, epoch: 0, open: [], history: [] });
    expect(loaded.notice).toMatch(
      new RegExp(`^state item for c1 in table ${db.tableName} is corrupt \\(open\\.0\\.severity: .+\\); starting from an empty state and replacing it$`),
    );
  });

  it('an item without a revision attribute is corrupt, and a first save may replace it', async () => {
    // Prepare
    await putRaw({ ...stateKey('c1'), state: { S: JSON.stringify(state(3)) } });
    const s = store();

    // Act
    const loaded = await s.load('c1');
    await s.save('c1', state(loaded.state.revision + 1));

    // Assess
    expect(loaded.state.revision).toBe(0);
    expect(loaded.notice).toContain("is corrupt (revision attribute missing does not match the state's revision 3)");
    expect(await s.load('c1')).toEqual({ state: state(1) });
  });

  it('passes SDK errors through unchanged, so the epoch can report them', async () => {
    // Prepare
    const missing = new DynamoDbStateStore({ client: db.client, tableName: 'no-such-table' });

    // Act / Assess
    await expect(missing.load('c1')).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missing.save('c1', state(1))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

// The contract's hooks run inside the file's, so each test gets the fresh table above.
runLedgerContract('DynamoDbRunLedger', async () => ({
  ledger: new DynamoDbRunLedger({ client: db.client, tableName: db.tableName }),
  close: async () => undefined,
}));

describe('DynamoDbRunLedger', () => {
  const ledger = (retentionDays?: number) => new DynamoDbRunLedger({ client: db.client, tableName: db.tableName, retentionDays });

  it('writes the lease with its holder, its end and a TTL a day after it', async () => {
    // Act
    await ledger().acquireLease('c1', 'invocation-a', 1_700_000_000_500, 60_000);

    // Assess
    expect(await rawItem(leaseKey('c1'))).toEqual({
      ...leaseKey('c1'),
      owner: { S: 'invocation-a' },
      leaseUntil: { N: '1700000060500' },
      expiresAt: { N: String(1_700_000_061 + DAY_S) },
    });
  });

  it('sets a run record’s TTL to its write time plus the retention, 30 days by default', async () => {
    // Prepare
    const now = 1_700_000_000_000;

    // Act
    await ledger().recordRun('c1', '2025-03-01T10:00:00Z', runRecord(), now);
    await ledger(7).recordRun('c1', '2025-03-01T10:05:00Z', runRecord(), now);

    // Assess
    expect(await rawItem(runKey('c1', '2025-03-01T10:00:00Z'))).toMatchObject({
      status: { S: 'critical' },
      recordedAt: { N: String(now) },
      expiresAt: { N: String(1_700_000_000 + 30 * DAY_S) },
    });
    expect((await rawItem(runKey('c1', '2025-03-01T10:05:00Z')))?.expiresAt).toEqual({ N: String(1_700_000_000 + 7 * DAY_S) });
  });

  it('refuses a retention that is not a whole number of days', () => {
    // Act / Assess
    expect(() => ledger(0)).toThrow(new RangeError('retentionDays must be a whole number of days, at least 1 (got 0)'));
    expect(() => ledger(1.5)).toThrow('got 1.5');
  });
});

describe('DynamoDB unreachable', () => {
  let client: DynamoDBClient;
  beforeEach(async () => {
    client = await unreachableDynamoDbClient();
  });
  afterEach(() => {
    client.destroy();
  });

  it('state store load and save fail instead of passing for an empty state', async () => {
    // Prepare
    const store = new DynamoDbStateStore({ client, tableName: 'state' });

    // Act / Assess
    await expect(store.load('c1')).rejects.toThrow(/ECONNREFUSED/);
    await expect(store.save('c1', state(1))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('every ledger call fails instead of answering', async () => {
    // Prepare: false from acquireLease or hasRun would skip the run for the wrong reason.
    const ledger = new DynamoDbRunLedger({ client, tableName: 'state' });

    // Act / Assess
    await expect(ledger.acquireLease('c1', 'a', 0, 1_000)).rejects.toThrow(/ECONNREFUSED/);
    await expect(ledger.releaseLease('c1', 'a')).rejects.toThrow(/ECONNREFUSED/);
    await expect(ledger.hasRun('c1', '2025-03-01T10:00:00Z')).rejects.toThrow(/ECONNREFUSED/);
    await expect(ledger.recordRun('c1', '2025-03-01T10:00:00Z', runRecord(), 0)).rejects.toThrow(/ECONNREFUSED/);
  });
});
