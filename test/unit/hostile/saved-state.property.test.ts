/**
 * Saved state (the CLI's state file, a DynamoDB state item, the load
 * snapshot inside it) is read by plain tests first and by zod only when those
 * refuse it, so a start that reads back what it wrote builds no schema.
 * Property: on generated state, mostly valid and wrong in a field or two
 * (wrong types, out-of-range numbers, empty names, columns that disagree),
 * both give the same verdict, and the same result when valid (but for a
 * `__proto__` key, which the plain tests leave to zod). And state
 * written by real epochs is read by the plain tests.
 *
 * Replay a failure with the seed and path fast-check prints (see property-runs.ts).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshotSchema, validEncodedSnapshot } from '../../../lib/load/load-snapshot.js';
import { auditStateSchema, validAuditState } from '../../../lib/state/audit-state.js';
import { FileStateStore, stateFileSchema, validStateFile } from '../../../lib/state/file-state-store.js';
import { runEpoch } from '../../../lib/epoch/run-epoch.js';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { RECORDED_CLUSTERS, recordedSample } from '../../support/hostile-replies.js';
import { propertyRuns } from '../../support/property-runs.js';
import { expectSameVerdict } from '../../support/plain-verdict.js';

const wrongType = fc.constantFrom<unknown>(null, '1', true, [], {}, ['x'], Infinity);
/** Valid most of the time, so that state wrong in one place only is common: that is where the two could differ. */
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: invalid }, { weight: 1, arbitrary: wrongType });

const count = mostly(fc.nat({ max: 1_000 }), fc.constantFrom(-1, 1.5, 2 ** 53, -0));
const positive = mostly(fc.integer({ min: 1, max: 1_000 }), fc.constantFrom(0, -1, 0.5, 2 ** 53));
const time = mostly(fc.integer({ min: 0, max: 2 ** 45 }), fc.constantFrom(-1.5, 1e308));
const name = mostly(fc.constantFrom('meta_leader_disagreement', 'n1', 'meta:default'), fc.constant(''));
const severity = mostly(fc.constantFrom('warning', 'critical'), fc.constantFrom('info', 'Critical', ''));

const finding = fc.record(
  {
    check: name,
    subject: name,
    severity,
    peakSeverity: severity,
    summary: mostly(fc.string({ maxLength: 8 }), fc.constant(undefined)),
    firstSeen: time,
    lastSeen: time,
    epochs: positive,
    persistent: mostly(fc.boolean(), fc.constant('true')),
    notifiedAt: time,
    extra: fc.string({ maxLength: 3 }),
  },
  { requiredKeys: ['check', 'subject', 'severity', 'summary', 'firstSeen', 'lastSeen', 'epochs', 'persistent'] },
);

const serverName = fc.constantFrom('n1', 'n2', 'n3', '__proto__', 'constructor', '');
const summary = fc.record(
  {
    id: positive,
    startedAt: time,
    metaLeaders: mostly(fc.dictionary(serverName, fc.oneof(fc.constantFrom('n1', 'n2'), fc.constant(null)), { maxKeys: 3 }), fc.constant({ n1: 3 })),
    knownServers: mostly(fc.array(fc.constantFrom('n1', 'n2', 'n3'), { maxLength: 3 }), fc.constant(['n1', 2])),
  },
  { requiredKeys: ['id', 'startedAt', 'metaLeaders'] },
);

/** A snapshot whose columns agree (what encodeSnapshot writes), then maybe one column off. */
const snapshot = fc
  .record({
    entries: fc.array(fc.record({ at: fc.constantFrom(1_000, 2_000), seq: fc.nat(), behind: fc.nat({ max: 3 }) }), { maxLength: 5 }),
    epoch: count,
    v: mostly(fc.constant(1), fc.constant(2)),
    breakage: fc.constantFrom('none', 'none', 'none', 'none', 'k', 's', 'at', 'runs', 'a', 'seq'),
  })
  .map(({ entries, epoch, v, breakage }) => {
    const at: [number, number][] = [];
    for (const e of entries) {
      const last = at[at.length - 1];
      if (last && last[0] === e.at) last[1]++;
      else at.push([e.at, 1]);
    }
    const encoded: Record<string, unknown> = {
      v,
      epoch,
      at,
      k: 'AAAAAAAA'.repeat(entries.length),
      s: entries.map((e) => e.seq),
      a: entries.map((e) => e.behind),
    };
    if (breakage === 'k') encoded['k'] = `${encoded['k'] as string}AAAA`;
    if (breakage === 's') encoded['s'] = [...(encoded['s'] as number[]), 1];
    if (breakage === 'at') encoded['at'] = [...at, [3_000, 1, 1]];
    if (breakage === 'runs') encoded['at'] = [...at, [3_000, 1]];
    if (breakage === 'a') encoded['a'] = (encoded['a'] as number[]).map(() => -1);
    if (breakage === 'seq') encoded['k'] = 'AAAA!AAA'.repeat(entries.length);
    return encoded;
  });

const state = fc.record(
  {
    revision: count,
    epoch: count,
    open: mostly(fc.array(finding, { maxLength: 3 }), fc.constant({})),
    history: mostly(fc.array(summary, { maxLength: 3 }), fc.constant(null)),
    load: mostly(snapshot, fc.constant({ v: 1 })),
    consumerCountersEpoch: count,
    stale: fc.boolean(),
  },
  { requiredKeys: ['revision', 'epoch', 'open', 'history'] },
);

describe('saved state read without zod (property-based)', () => {
  it('a load snapshot: the plain tests accept exactly what the schema accepts, with the same result', () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(snapshot, (raw) => expectSameVerdict(raw, loadSnapshotSchema.safeParse(raw), validEncodedSnapshot(raw), seen)),
      propertyRuns(10_000),
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it("a cluster's state: the plain tests accept exactly what the schema accepts, with the same result", () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(state, (raw) => expectSameVerdict(raw, auditStateSchema.safeParse(raw), validAuditState(raw), seen)),
      propertyRuns(20_000),
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('a state file: the plain tests accept what the schema accepts, and refuse only to let it decide', () => {
    const seen = { accepted: 0, refused: 0 };
    const file = fc.record(
      {
        type: mostly(fc.constant('io.nats-audit.v1.state'), fc.constant('io.nats-audit.v2.state')),
        clusters: mostly(fc.dictionary(fc.constantFrom('east', 'west', 'c1'), state, { maxKeys: 2 }), fc.constant([])),
        consumerCounters: mostly(fc.dictionary(fc.constantFrom('east', 'west'), fc.oneof(snapshot, wrongType), { maxKeys: 2 }), fc.constant('x')),
      },
      { requiredKeys: ['type', 'clusters'] },
    );
    fc.assert(
      fc.property(file, (raw) => {
        expectSameVerdict(raw, stateFileSchema.safeParse(raw), validStateFile(raw), seen);
      }),
      propertyRuns(3_000),
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('leave a __proto__ key, which zod skips, to zod', () => {
    const raw = JSON.parse('{"revision":1,"epoch":1,"open":[],"history":[{"id":1,"startedAt":5,"metaLeaders":{"__proto__":"n1"}}]}');
    expect(validAuditState(raw)).toBeUndefined();
    expect(auditStateSchema.safeParse(raw).success).toBe(true);
  });
});

describe('state written by real epochs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nats-audit-saved-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is read back by the plain tests, as zod reads it', async () => {
    // Prepare: three epochs of every recorded cluster into one file, so findings, history and counters are saved.
    const path = join(dir, 'state.json');
    const store = new FileStateStore(path);
    for (const cluster of RECORDED_CLUSTERS) {
      const sample = recordedSample(cluster);
      for (let epoch = 0; epoch < 3; epoch++) {
        await runEpoch({
          sample: async () => ({ ...sample, startedAt: sample.startedAt + epoch * 60_000 }),
          store,
          clusterKey: cluster.label,
          registry: defaultRegistry(),
          checks: { skip: new Set(), thresholds: {} },
          persistence: { epochs: 2, minMs: 0 },
          now: () => sample.startedAt + epoch * 60_000 + 100,
        });
      }
    }

    // Act
    const json: unknown = JSON.parse(await readFile(path, 'utf8'));
    const viaTests = validStateFile(json);

    // Assess
    expect(viaTests).toBeDefined();
    const viaZod = stateFileSchema.safeParse(json);
    expect(viaZod.success).toBe(true);
    expect(viaTests).toEqual(viaZod.data);
    const states = Object.values(viaTests!.clusters);
    expect(states).toHaveLength(RECORDED_CLUSTERS.length);
    expect(states.some((s) => s.open.length > 0)).toBe(true);
    expect(states.every((s) => s.history.length === 3)).toBe(true);
    expect(states.some((s) => s.load !== undefined)).toBe(true);
  });
});
