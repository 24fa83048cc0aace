import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { runEpoch, type EpochDependencies } from '../../lib/epoch/run-epoch.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { MemoryStateStore, StateConflictError, type StateStore } from '../../lib/state/state-store.js';
import { T0, jsz, sample, servers } from '../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

/** n1 knows no leader: a new meta_leader_disagreement to announce. */
const disagreement = (): RawSample =>
  sample({
    startedAt: T0,
    replies: {
      n1: { jsz: jsz(n1, { meta: { leader: null } }) },
      n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }) },
      n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
    },
  });

/** A store where another epoch of the cluster saves first, exactly as this one would, every time this one saves. */
function racedStore(inner: MemoryStateStore): StateStore {
  return {
    load: (key) => inner.load(key),
    async save(key, state) {
      await inner.save(key, state);
      throw new StateConflictError(key, state.revision - 1, state.revision);
    },
  };
}

function deps(store: StateStore, deliver?: EpochDependencies['deliver']): EpochDependencies {
  return {
    sample: async () => disagreement(),
    store,
    clusterKey: 'c1',
    registry: defaultRegistry(),
    checks: { skip: new Set(), thresholds: {} },
    persistence: { epochs: 2, minMs: 0 },
    now: () => T0 + 100,
    ...(deliver ? { deliver } : {}),
  };
}

describe('runEpoch losing a state race', () => {
  it('after deliver: returns the report with a notice instead of failing, since its notifications are already out', async () => {
    // Prepare
    const inner = new MemoryStateStore();
    const sent: string[] = [];
    const deliver: EpochDependencies['deliver'] = async (d) => {
      sent.push(...d.report.findings.map((f) => `${f.check}:${f.lifecycle.transition}`));
      return { notified: d.report.findings.map((f) => ({ check: f.check, subject: f.subject })) };
    };

    // Act
    const { report } = await runEpoch(deps(racedStore(inner), deliver));

    // Assess
    expect(sent).toEqual(['meta_leader_disagreement:new']);
    expect(report.findings.map((f) => f.check)).toEqual(['meta_leader_disagreement']);
    expect(report.notices).toEqual([
      "state for c1 changed while this epoch ran (expected revision 0, found 1); this epoch's notifications were sent, the other epoch's state was kept",
    ]);
    expect((await inner.load('c1')).state.revision).toBe(1);
  });

  it('without deliver (the CLI): still fails with StateConflictError, so the report is not printed as if it counted', async () => {
    // Prepare
    const store = racedStore(new MemoryStateStore());

    // Act
    const outcome = runEpoch(deps(store));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(StateConflictError);
  });
});
