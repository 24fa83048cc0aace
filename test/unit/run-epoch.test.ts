import { describe, expect, it, vi } from 'vitest';
import { CheckRegistry, defaultRegistry } from '../../lib/checks/index.js';
import { metaLeaderDisagreement } from '../../lib/checks/meta-leader-disagreement.js';
import { AuditUnavailableError } from '../../lib/errors.js';
import { runEpoch, type EpochDelivery, type EpochDependencies } from '../../lib/epoch/run-epoch.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { HISTORY_LIMIT, type AuditState } from '../../lib/state/audit-state.js';
import { MemoryStateStore, StateConflictError, type StateStore } from '../../lib/state/state-store.js';
import { T0, healthyReplies, jsz, sample, servers } from '../support/sample-builder.js';

const MINUTE = 60_000;
const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

/** n1 knows no leader while n2 and n3 follow n2: a disagreement that may be an election. */
function n1WithoutLeader(startedAt: number): RawSample {
  return sample({
    startedAt,
    replies: {
      n1: { jsz: jsz(n1, { meta: { leader: null } }) },
      n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }) },
      n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
    },
  });
}

const healthy = (startedAt: number, leader = 'n1') => sample({ startedAt, replies: healthyReplies({ leader }) });

/** Every vantage refused the credentials. */
const refused = (): RawSample => ({
  ...sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'auth', message: 'Authorization Violation' } }] }),
});

/** Runs one epoch per sample against one store, with a clock that advances a minute per epoch. */
function epochRunner(store: StateStore, options: { skip?: string[]; deliver?: EpochDependencies['deliver'] } = {}) {
  let epoch = 0;
  return (make: (startedAt: number) => RawSample) => {
    const startedAt = T0 + epoch++ * MINUTE;
    const deps: EpochDependencies = {
      sample: async () => make(startedAt),
      store,
      clusterKey: 'c1',
      registry: defaultRegistry(),
      checks: { skip: new Set(options.skip ?? []), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      now: () => startedAt + 100,
      deliver: options.deliver,
    };
    return runEpoch(deps);
  };
}

describe('runEpoch', () => {
  it('a transient disagreement becomes persistent and critical, then resolves', async () => {
    // Prepare
    const run = epochRunner(new MemoryStateStore());

    // Act
    const first = (await run(n1WithoutLeader)).report;
    const second = (await run(n1WithoutLeader)).report;
    const third = (await run(healthy)).report;

    // Assess
    expect(first).toMatchObject({ status: 'warning', epoch: { id: 1 }, counts: { critical: 0, warning: 1, resolved: 0 } });
    expect(first.findings[0]).toMatchObject({
      check: 'meta_leader_disagreement',
      severity: 'warning',
      lifecycle: { state: 'new', persistent: false, transition: 'new', known: true },
    });
    expect(second).toMatchObject({ status: 'critical', epoch: { id: 2 }, counts: { critical: 1, warning: 0 } });
    expect(second.findings[0]).toMatchObject({
      severity: 'critical',
      lifecycle: { state: 'ongoing', persistent: true, epochs: 2, transition: 'became_persistent', firstSeen: new Date(T0 + 100).toISOString() },
    });
    expect(third).toMatchObject({ status: 'ok', epoch: { id: 3 }, counts: { critical: 0, warning: 0, resolved: 1 }, findings: [] });
    expect(third.resolved).toEqual([
      {
        check: 'meta_leader_disagreement',
        severity: 'critical',
        peakSeverity: 'critical',
        subject: 'meta:default',
        summary: 'Servers disagree on the JetStream meta leader: n1 says none; n2, n3 say n2',
        firstSeen: new Date(T0 + 100).toISOString(),
        resolvedAt: new Date(T0 + 2 * MINUTE + 100).toISOString(),
        epochs: 2,
      },
    ]);
  });

  it('leaves state untouched when the audit cannot run, so the next epoch compares with the last real one', async () => {
    // Prepare
    const store = new MemoryStateStore();
    const save = vi.spyOn(store, 'save');
    const run = epochRunner(store);
    await run(n1WithoutLeader);

    // Act
    const unavailable = run(refused);
    await expect(unavailable).rejects.toThrow(AuditUnavailableError);
    await expect(unavailable).rejects.toThrow(/authorization refused by nats:\/\/n1:4222/);
    const after = (await run(n1WithoutLeader)).report;

    // Assess
    expect(save).toHaveBeenCalledTimes(2);
    expect(after.epoch.id).toBe(2);
    expect(after.findings[0]?.lifecycle).toMatchObject({ state: 'ongoing', epochs: 2, persistent: true });
  });

  it('a store that cannot load still reports findings, with a notice and lifecycle.known false, and saves nothing', async () => {
    // Prepare
    const store: StateStore = {
      load: vi.fn(async () => {
        throw new Error('disk on fire');
      }),
      save: vi.fn(async () => undefined),
    };

    // Act
    const { report } = await epochRunner(store)(n1WithoutLeader);

    // Assess
    expect(report.notices).toEqual(['state could not be read (disk on fire); persistence of findings is unknown this epoch']);
    expect(report.findings[0]?.lifecycle).toMatchObject({ state: 'new', known: false });
    expect(store.save).not.toHaveBeenCalled();
  });

  it('passes on a notice from the store (a corrupt state replaced)', async () => {
    // Prepare
    const inner = new MemoryStateStore();
    const store: StateStore = {
      load: async (key) => ({ ...(await inner.load(key)), notice: 'state file x is corrupt; starting from an empty state and replacing it' }),
      save: (key, state) => inner.save(key, state),
    };

    // Act
    const { report } = await epochRunner(store)(healthy);

    // Assess
    expect(report.notices).toEqual(['state file x is corrupt; starting from an empty state and replacing it']);
  });

  it('detects flapping across epochs from the remembered history', async () => {
    // Prepare: the leader alternates n1, n2, n1, n2, n1.
    const run = epochRunner(new MemoryStateStore());
    const reports = [];

    // Act
    for (const leader of ['n1', 'n2', 'n1', 'n2', 'n1']) reports.push((await run((t) => healthy(t, leader))).report);

    // Assess
    expect(reports.slice(0, 4).every((r) => r.findings.length === 0)).toBe(true);
    expect(reports[4]!.findings).toMatchObject([
      { check: 'meta_leader_flapping', severity: 'warning', details: { changes: 4, epochs: 5, leaders: ['n1', 'n2', 'n1', 'n2', 'n1'] } },
    ]);
  });

  it('remembers one summary per epoch, capped at HISTORY_LIMIT', async () => {
    // Prepare: a store already holding a full history.
    const store = new MemoryStateStore();
    const full: AuditState = {
      revision: 0,
      epoch: HISTORY_LIMIT,
      open: [],
      history: Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ id: i + 1, startedAt: i, metaLeaders: { default: 'n1' } })),
    };
    await store.save('c1', { ...full, revision: 1 });

    // Act
    await epochRunner(store)((t) => healthy(t, 'n3'));

    // Assess
    const { state } = await store.load('c1');
    expect(state).toMatchObject({ revision: 2, epoch: HISTORY_LIMIT + 1 });
    expect(state.history).toHaveLength(HISTORY_LIMIT);
    expect(state.history[0]?.id).toBe(2);
    expect(state.history.at(-1)).toEqual({ id: HISTORY_LIMIT + 1, startedAt: T0, metaLeaders: { default: 'n3' }, knownServers: ['n1', 'n2', 'n3'] });
  });

  it('refuses to overwrite state another epoch of the same cluster saved meanwhile', async () => {
    // Prepare
    const store = new MemoryStateStore();

    // Act: two epochs race; both load revision 0.
    const results = await Promise.allSettled([epochRunner(store)(healthy), epochRunner(store)(healthy)]);

    // Assess
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StateConflictError);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('state for c1 changed while this epoch ran (expected revision 0, found 1)');
  });

  it('reads the last epoch while the servers are asked, not after them', async () => {
    // Prepare: a sample that finishes only once the state has been asked for.
    const store = new MemoryStateStore();
    let loadStarted!: () => void;
    const loading = new Promise<void>((resolve) => (loadStarted = resolve));
    const watched: StateStore = {
      load: (key) => {
        loadStarted();
        return store.load(key);
      },
      save: (key, state) => store.save(key, state),
    };
    const asked: string[] = [];
    const sampleAfterLoad = async (): Promise<RawSample> => {
      asked.push('sample started');
      await Promise.race([loading, new Promise((_, reject) => setTimeout(() => reject(new Error('state not read while sampling')), 1_000))]);
      asked.push('state read meanwhile');
      return healthy(T0);
    };

    // Act
    const { report } = await runEpoch({
      sample: sampleAfterLoad,
      store: watched,
      clusterKey: 'c1',
      registry: defaultRegistry(),
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      now: () => T0,
    });

    // Assess
    expect(asked).toEqual(['sample started', 'state read meanwhile']);
    expect(report.epoch.id).toBe(1);
    expect((await store.load('c1')).state.epoch).toBe(1);
  });

  it('a store that cannot save still reports, with a notice; the next epoch then sees the findings as new', async () => {
    // Prepare
    const store = new MemoryStateStore();
    const failing: StateStore = { load: (key) => store.load(key), save: async () => Promise.reject(new Error('ENOSPC: no space left on device')) };
    const run = epochRunner(failing);

    // Act
    const first = (await run(n1WithoutLeader)).report;
    const second = (await run(n1WithoutLeader)).report;

    // Assess
    expect(first.findings.map((f) => f.check)).toContain('meta_leader_disagreement');
    expect(first.notices).toEqual(['state could not be saved (ENOSPC: no space left on device); the next epoch will not know this one']);
    expect(second.findings.find((f) => f.check === 'meta_leader_disagreement')!.lifecycle.state).toBe('new');
  });

  it('keeps the open findings of a check that failed to run, neither resolved nor aged', async () => {
    // Prepare: the disagreement is open after one epoch; then the check breaks for an epoch, then recovers.
    const store = new MemoryStateStore();
    let broken = false;
    const registry = new CheckRegistry().register({
      ...metaLeaderDisagreement,
      run: (context) => {
        if (broken) throw new Error('boom');
        return metaLeaderDisagreement.run(context);
      },
    });
    let epoch = 0;
    const run = () =>
      runEpoch({
        sample: async () => n1WithoutLeader(T0 + epoch * MINUTE),
        store,
        clusterKey: 'c1',
        registry,
        checks: { skip: new Set(), thresholds: {} },
        persistence: { epochs: 2, minMs: 0 },
        now: () => T0 + epoch++ * MINUTE + 100,
      });

    // Act
    await run();
    broken = true;
    const during = (await run()).report;
    broken = false;
    const after = (await run()).report;

    // Assess
    expect(during.checks).toContainEqual({ check: 'meta_leader_disagreement', outcome: 'error', error: 'boom' });
    expect(during.resolved.map((r) => r.check)).not.toContain('meta_leader_disagreement');
    const finding = after.findings.find((f) => f.check === 'meta_leader_disagreement')!;
    expect(finding.lifecycle).toMatchObject({ state: 'ongoing', epochs: 2, persistent: true });
  });

  it('an election that leaves a group leaderless keeps an uneven distribution open, neither resolved nor aged, and says why', async () => {
    // Prepare: n1 leads 6 of 9 R3 streams; in the middle epoch no view names a leader of N2_S02 (its views list every peer).
    const led = (leader: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({ name: `${leader.toUpperCase()}_S0${i + 1}`, leader, replicas: ['n1', 'n2', 'n3'].filter((n) => n !== leader) }));
    const placement = (electing: boolean) => (startedAt: number) =>
      sample({
        startedAt,
        replies: healthyReplies({
          streams: { n1: led('n1', 6), n2: electing ? [led('n2', 1)[0]!, { name: 'N2_S02', replicas: ['n1', 'n2', 'n3'] }] : led('n2', 2), n3: led('n3', 1) },
        }),
      });
    const run = epochRunner(new MemoryStateStore());

    // Act
    const before = (await run(placement(false))).report;
    const during = (await run(placement(true))).report;
    const after = (await run(placement(false))).report;

    // Assess
    const uneven = (r: typeof before) => r.findings.find((f) => f.check === 'uneven_leader_distribution');
    expect(uneven(before)?.lifecycle).toMatchObject({ state: 'new', epochs: 1 });
    expect(uneven(during)).toBeUndefined();
    expect(during.resolved.map((r) => r.check)).not.toContain('uneven_leader_distribution');
    expect(during.checks).toContainEqual({
      check: 'uneven_leader_distribution',
      outcome: 'pass',
      unjudged: [{ subject: 'cluster:c1', reason: 'an election in progress: no server names a leader of stream N2_S02 (account APP)' }],
    });
    expect(uneven(after)?.lifecycle).toMatchObject({ state: 'ongoing', epochs: 2, persistent: true, firstSeen: uneven(before)!.lifecycle.firstSeen });
  });

  it('skipped checks are reported as skipped', async () => {
    // Act
    const { report } = await epochRunner(new MemoryStateStore(), { skip: ['meta_leader_disagreement'] })(n1WithoutLeader);

    // Assess
    expect(report.findings).toEqual([]);
    expect(report.checks).toContainEqual({ check: 'meta_leader_disagreement', outcome: 'skipped' });
  });

  it('hands the judged epoch to deliver before saving, and remembers what it sent', async () => {
    // Prepare
    const store = new MemoryStateStore();
    const deliveries: EpochDelivery[] = [];
    const run = epochRunner(store, {
      deliver: async (d) => {
        deliveries.push(d);
        return { notified: d.report.findings.map((f) => ({ check: f.check, subject: f.subject })) };
      },
    });

    // Act
    await run(n1WithoutLeader);
    await run(n1WithoutLeader);

    // Assess
    expect(deliveries[0]!.previousOpen).toEqual([]);
    expect(deliveries[0]!.report.findings.map((f) => f.check)).toEqual(['meta_leader_disagreement']);
    const firstSent = deliveries[1]!.previousOpen[0]!.notifiedAt;
    expect(firstSent).toBe(T0 + 100);
    const saved = (await store.load('c1')).state.open[0]!;
    expect(saved.notifiedAt).toBe(T0 + MINUTE + 100);
  });

  it('keeps notifiedAt from the previous epoch when nothing was sent', async () => {
    // Prepare
    const store = new MemoryStateStore();
    let send = true;
    const run = epochRunner(store, {
      deliver: async (d) => ({ notified: send ? d.report.findings.map((f) => ({ check: f.check, subject: f.subject })) : [] }),
    });

    // Act
    await run(n1WithoutLeader);
    send = false;
    await run(n1WithoutLeader);

    // Assess
    expect((await store.load('c1')).state.open[0]!.notifiedAt).toBe(T0 + 100);
  });

  it('does not advance state when deliver fails, so the next epoch sees the same transition again', async () => {
    // Prepare
    const store = new MemoryStateStore();
    let fail = true;
    const transitions: string[] = [];
    const run = epochRunner(store, {
      deliver: async (d) => {
        transitions.push(...d.report.findings.map((f) => f.lifecycle.transition));
        if (fail) throw new Error('SNS unavailable');
      },
    });

    // Act
    await expect(run(n1WithoutLeader)).rejects.toThrow('SNS unavailable');
    const afterFailure = await store.load('c1');
    fail = false;
    await run(n1WithoutLeader);

    // Assess
    expect(afterFailure.state.revision).toBe(0);
    expect(transitions).toEqual(['new', 'new']);
    expect((await store.load('c1')).state.epoch).toBe(1);
  });

  it('with asFinding, an audit that cannot run is an audit_failed finding that keeps the others open and resolves when fixed', async () => {
    // Prepare
    const store = new MemoryStateStore();
    let t = T0;
    const deps = (make: () => RawSample): EpochDependencies => ({
      sample: async () => make(),
      store,
      clusterKey: 'c1',
      registry: defaultRegistry(),
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      now: () => (t += 1_000),
      asFinding: (error) =>
        error instanceof AuditUnavailableError ? { subject: 'authorization', summary: error.message, remediation: ['Fix it.'] } : undefined,
    });
    await runEpoch(deps(() => n1WithoutLeader(t)));

    // Act
    const failed = await runEpoch(deps(refused));
    const fixed = await runEpoch(deps(() => healthy(t)));

    // Assess
    expect(failed.failed?.subject).toBe('authorization');
    expect(failed.report.findings.map((f) => [f.check, f.severity])).toEqual([['audit_failed', 'critical']]);
    expect(failed.report.resolved).toEqual([]);
    const afterFailure = fixed.report.resolved.map((r) => r.check).sort();
    expect(afterFailure).toEqual(['audit_failed', 'meta_leader_disagreement']);
  });

  it('with asFinding, an error it does not claim still propagates', async () => {
    const error = await runEpoch({
      sample: async () => {
        throw new TypeError('bug');
      },
      store: new MemoryStateStore(),
      clusterKey: 'c1',
      registry: defaultRegistry(),
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      asFinding: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
  });
});
