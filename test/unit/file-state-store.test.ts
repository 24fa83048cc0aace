import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditState } from '../../lib/state/audit-state.js';
import { FileStateStore } from '../../lib/state/file-state-store.js';
import { StateConflictError } from '../../lib/state/state-store.js';
import { consumerCounterContract } from '../support/consumer-counter-contract.js';
import { stateAt } from '../support/state-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nats-audit-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const state = stateAt;

describe('FileStateStore', () => {
  it('starts empty when the file does not exist yet', async () => {
    // Act
    const loaded = await new FileStateStore(join(dir, 'state.json')).load('c1');

    // Assess
    expect(loaded).toEqual({ state: { revision: 0, epoch: 0, open: [], history: [] }, notice: undefined });
  });

  it('round-trips a state through a new directory, owner-only, leaving no temporary file', async () => {
    // Prepare
    const path = join(dir, 'nested', 'deeper', 'state.json');
    const store = new FileStateStore(path);

    // Act
    await store.save('c1', state(1));
    const loaded = await new FileStateStore(path).load('c1');

    // Assess
    expect(loaded).toEqual({ state: state(1), notice: undefined });
    expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['state.json']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ type: 'io.nats-audit.v1.state' });
  });

  it('keeps each cluster’s state apart in one file', async () => {
    // Prepare
    const store = new FileStateStore(join(dir, 'state.json'));

    // Act
    await store.save('east', state(1));
    await store.save('west', state(1));
    await store.save('east', state(2));

    // Assess
    expect((await store.load('east')).state.revision).toBe(2);
    expect((await store.load('west')).state.revision).toBe(1);
  });

  it('a file that is not JSON gives a notice naming it, an empty state, and is replaced on save', async () => {
    // Prepare
    const path = join(dir, 'state.json');
    await writeFile(path, '{"type": "io.nats-audit.v1.st');
    const store = new FileStateStore(path);

    // Act
    const loaded = await store.load('c1');
    await store.save('c1', state(loaded.state.revision + 1));

    // Assess
    expect(loaded.state).toEqual({ revision: 0, epoch: 0, open: [], history: [] });
    expect(loaded.notice).toBe(`state file ${path} is not valid JSON; starting from an empty state and replacing it`);
    expect(await store.load('c1')).toEqual({ state: state(1), notice: undefined });
  });

  it('a file of the wrong shape gives a notice naming the bad field, and is replaced on save', async () => {
    // Prepare: a severity the state never holds.
    const path = join(dir, 'state.json');
    const bad = { type: 'io.nats-audit.v1.state', clusters: { c1: { ...state(3), open: [{ ...state(3).open[0], severity: 'info' }] } } };
    await writeFile(path, JSON.stringify(bad));
    const store = new FileStateStore(path);

    // Act
    const loaded = await store.load('c1');
    await store.save('c1', state(1));

    // Assess
    expect(loaded.state.revision).toBe(0);
    expect(loaded.notice).toMatch(new RegExp(`^state file ${path} is corrupt \\(clusters\\.c1\\.open\\.0\\.severity: .+\\); starting from an empty state and replacing it$`));
    expect((await store.load('c1')).notice).toBeUndefined();
  });

  it('a file of another type is corrupt too', async () => {
    // Prepare
    const path = join(dir, 'state.json');
    await writeFile(path, JSON.stringify({ type: 'io.nats-audit.v1.sample', clusters: {} }));

    // Act
    const { notice } = await new FileStateStore(path).load('c1');

    // Assess
    expect(notice).toContain('is corrupt (type: ');
  });

  it('refuses a save whose revision does not follow the stored one', async () => {
    // Prepare: two writers loaded revision 0; the first saved.
    const path = join(dir, 'state.json');
    await new FileStateStore(path).save('c1', state(1));

    // Act
    const late = new FileStateStore(path).save('c1', state(1));

    // Assess
    await expect(late).rejects.toThrow(StateConflictError);
    await expect(late).rejects.toThrow('state for c1 changed while this epoch ran (expected revision 0, found 1)');
    expect((await new FileStateStore(path).load('c1')).state).toEqual(state(1));
  });

  it('two writers of different clusters sharing the file both keep their state', async () => {
    // Prepare: as two `check --watch` processes on the default path would.
    const path = join(dir, 'state.json');

    // Act
    await Promise.all([new FileStateStore(path).save('east', state(1)), new FileStateStore(path).save('west', state(1))]);

    // Assess
    expect((await new FileStateStore(path).load('east')).state.revision).toBe(1);
    expect((await new FileStateStore(path).load('west')).state.revision).toBe(1);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('a save after a load sees what another writer saved in between, and keeps what it did not change', async () => {
    // Prepare: this store has read the file (east at 1, west at 1); then another writer moved west on.
    const path = join(dir, 'state.json');
    const store = new FileStateStore(path);
    await store.save('east', state(1));
    await store.save('west', state(1));
    await store.load('east');
    await new FileStateStore(path).save('west', state(2));

    // Act
    await store.save('east', state(2));
    await store.save('east', state(3));

    // Assess
    const file = JSON.parse(await readFile(path, 'utf8')) as { clusters: Record<string, AuditState> };
    expect(file.clusters['east']).toEqual(state(3));
    expect(file.clusters['west']).toEqual(state(2));
  });

  it('two writers of one cluster racing: exactly one save wins, the other gets a conflict', async () => {
    // Prepare
    const path = join(dir, 'state.json');

    // Act
    const results = await Promise.allSettled([new FileStateStore(path).save('c1', state(1)), new FileStateStore(path).save('c1', state(1))]);

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(StateConflictError) });
  });

  it('breaks a lock left by a writer that died, but waits for a live one and then says which file', async () => {
    // Prepare
    const path = join(dir, 'state.json');
    const lock = `${path}.lock`;
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);

    // Act
    await new FileStateStore(path, { staleLockMs: 30_000 }).save('c1', state(1));
    await writeFile(lock, '');
    const blocked = new FileStateStore(path, { lockWaitMs: 50 }).save('c1', state(2));

    // Assess
    await expect(blocked).rejects.toThrow(`state file ${path} is locked by another writer; remove ${lock} if no nats-audit is running`);
    expect((await new FileStateStore(path).load('c1')).state.revision).toBe(1);
  });

  it('reports an unreadable path as an error, not as an empty state', async () => {
    // Prepare: the path is a directory.
    const store = new FileStateStore(dir);

    // Act / Assess
    await expect(store.load('c1')).rejects.toThrow(/EISDIR/);
  });
});

describe('FileStateStore consumer counters', () => {
  consumerCounterContract(() => {
    const path = join(dir, 'state.json');
    return {
      store: () => new FileStateStore(path),
      corrupt: async (clusterKey) => {
        const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
        await writeFile(path, JSON.stringify({ ...file, consumerCounters: { [clusterKey]: { v: 1, epoch: 'soon' } } }));
      },
    };
  }, { persists: true });
});
