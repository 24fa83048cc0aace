import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { electionSigns, type ElectionSign } from '../../lib/checks/election-signs.js';
import { ELECTION_TIMEOUT_MAX_MS, MAX_RESAMPLES, settleTimeOf, SignWatch } from '../../lib/epoch/confirmation.js';
import { runEpoch, type EpochDependencies } from '../../lib/epoch/run-epoch.js';
import { observe } from '../../lib/observation/observe.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { formatText } from '../../lib/report/text-report.js';
import { MemoryStateStore } from '../../lib/state/state-store.js';
import { healthyReplies, jsz, partitioned, sample, servers } from '../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);
const healthy = sample({ replies: healthyReplies() });
/** Mid-election: n1 lost its leader, n2 and n3 still follow n2. */
const electing = sample({
  replies: {
    n1: { jsz: jsz(n1, { meta: { leader: null } }) },
    n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }) },
    n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
  },
});
/** The meta leader n1 cut off, still claiming; n2 elected by n2 and n3. */
const twoClaimants = sample({
  replies: {
    n1: { jsz: jsz(n1, { meta: { leader: 'n1', replicas: ['n2', 'n3'] } }) },
    n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: [{ name: 'n1', current: false }, 'n3'] } }) },
    n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
  },
  vantages: partitioned(['n1'], ['n2', 'n3']),
});
/** n1 gave up its claim and reports no leader. */
const isolatedNoLeader = sample({
  replies: {
    n1: { jsz: jsz(n1, { meta: { leader: null } }) },
    n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: [{ name: 'n1', current: false }, 'n3'] } }) },
    n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
  },
  vantages: partitioned(['n1'], ['n2', 'n3']),
});

/** Mid-election with no leader anywhere: the leader stepped down and no follower's timer has fired yet. */
const leaderless = sample({ replies: Object.fromEntries([n1, n2, n3].map((s) => [s.name, { jsz: jsz(s, { meta: { leader: null } }) }])) });

/** An epoch whose samples come in turn from `samples`; counts how many were taken. */
function epochOf(samples: readonly RawSample[], delayMs = 0): { deps: EpochDependencies; taken: () => number } {
  let taken = 0;
  const deps: EpochDependencies = {
    sample: async () => samples[Math.min(taken++, samples.length - 1)]!,
    store: new MemoryStateStore(),
    clusterKey: 'c1',
    registry: defaultRegistry(),
    checks: { skip: new Set(), thresholds: {} },
    persistence: { epochs: 2, minMs: 0 },
    confirm: { delayMs },
  };
  return { deps, taken: () => taken };
}

describe('election signs', () => {
  it('names meta disagreement, no known meta leader, and leader counts that do not add up; nothing on a healthy cluster', () => {
    // Prepare
    const v = servers(['n1', 'n2', 'n3'], { version: '2.15.1' });
    const noLeader = sample({ replies: Object.fromEntries([n1, n2, n3].map((s) => [s.name, { jsz: jsz(s, { meta: { leader: null } }) }])) });
    const counts = sample({
      replies: {
        n1: { jsz: jsz(v.n1, { meta: { leader: 'n1' }, streamsLeader: 3, hosted: { streams: 9, consumers: 0 } }) },
        n2: { jsz: jsz(v.n2, { meta: { leader: 'n1' }, hosted: { streams: 9, consumers: 0 } }) },
        n3: { jsz: jsz(v.n3, { meta: { leader: 'n1' }, hosted: { streams: 9, consumers: 0 } }) },
      },
    });

    // Act / Assess
    expect(electionSigns(observe(healthy))).toEqual([]);
    expect(electionSigns(observe(electing)).map((s) => [s.kind, s.subject])).toEqual([['meta_disagreement', 'meta:default']]);
    expect(electionSigns(observe(noLeader)).map((s) => [s.kind, s.subject])).toEqual([['meta_no_leader', 'meta:default']]);
    expect(electionSigns(observe(counts))).toEqual([
      {
        kind: 'leader_counts_inconsistent',
        subject: 'cluster:c1',
        summary: "the servers' own counts sum to 3 streams leaders while n1 alone hosts 9",
      },
    ]);
  });

  it('names a replicated group that no server names a leader of, where the servers do not count their own leaders', () => {
    // Prepare: 2.10-style detail; no view names a leader of ORDERS > worker, n2's view of ORDERS > audit names n3.
    const consumers = [
      { name: 'worker', replicas: ['n1', 'n2', 'n3'] },
      { name: 'audit', leader: 'n3', replicas: ['n1', 'n2'] },
    ];
    const observed = sample({ replies: healthyReplies({ streams: { n2: [{ name: 'ORDERS', leader: 'n2', replicas: ['n1', 'n3'], consumers }] } }) });
    const settled = sample({
      replies: healthyReplies({ streams: { n2: [{ name: 'ORDERS', leader: 'n2', replicas: ['n1', 'n3'], consumers: [{ ...consumers[0]!, leader: 'n1' }, consumers[1]!] }] } }),
    });

    // Act / Assess
    expect(electionSigns(observe(observed))).toEqual([
      { kind: 'leader_counts_inconsistent', subject: 'cluster:c1', summary: 'no server names a leader of consumer ORDERS > worker (account APP)' },
    ]);
    expect(electionSigns(observe(settled))).toEqual([]);
  });
});

describe('confirmation within the epoch', () => {
  it('a healthy sample is judged at once: one sample, no confirmation in the report', async () => {
    // Prepare
    const { deps, taken } = epochOf([healthy]);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    expect(taken()).toBe(1);
    expect(report.confirmation).toBeUndefined();
    expect(report.status).toBe('ok');
  });

  it('an election that ended before the second sample is not reported', async () => {
    // Prepare
    const { deps, taken } = epochOf([electing, healthy]);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    expect(taken()).toBe(2);
    expect(report.findings).toEqual([]);
    expect(report.confirmation).toMatchObject({ delayMs: 0, confirmed: [], cleared: [{ kind: 'meta_disagreement', subject: 'meta:default' }], appeared: [] });
  });

  it('a disagreement still there is reported as confirmed, a warning until it persists', async () => {
    // Prepare
    const { deps } = epochOf([electing, electing]);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    const finding = report.findings.find((f) => f.check === 'meta_leader_disagreement')!;
    expect(finding.severity).toBe('warning');
    expect(finding.details.confirmation).toEqual({ outcome: 'confirmed', delayMs: 0, signs: ['servers disagree on the meta leader'] });
    expect(report.confirmation?.confirmed).toHaveLength(1);
  });

  it('two claimants seen at once stay critical even when the stale one gave up its claim by the second sample', async () => {
    // Prepare
    const { deps } = epochOf([twoClaimants, isolatedNoLeader]);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    const finding = report.findings.find((f) => f.check === 'meta_leader_disagreement')!;
    expect(finding.severity).toBe('critical');
    expect(finding.details).toMatchObject({ claimants: ['n1', 'n2'], staleLeaders: ['n1'], confirmation: { outcome: 'confirmed' } });
  });

  it('when the second sample cannot be taken, the first is judged and the report says why', async () => {
    // Prepare
    let calls = 0;
    const { deps } = epochOf([electing]);
    const failing: EpochDependencies = {
      ...deps,
      sample: async () => {
        if (calls++ === 0) return electing;
        throw new Error('connection refused');
      },
    };

    // Act
    const { report } = await runEpoch(failing);

    // Assess
    expect(report.findings.map((f) => f.check)).toContain('meta_leader_disagreement');
    expect(report.confirmation).toMatchObject({ resampleError: 'connection refused', seen: [{ kind: 'meta_disagreement' }] });
  });
});

describe('signs that need more than one resample', () => {
  it('a leader that steps down between the samples is sampled once more, not judged from one sample', async () => {
    // Prepare: disagreement, then (the leader stepped down) no leader, then the election over.
    const { deps, taken } = epochOf([electing, leaderless, healthy]);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    expect(taken()).toBe(3);
    expect(report.findings).toEqual([]);
    expect(report.confirmation).toMatchObject({ resamples: 2, cleared: [{ kind: 'meta_disagreement' }], appeared: [] });
  });

  it('no known meta leader is watched for an election timeout, so a leaderless election that ends within it is not reported', async () => {
    // Prepare: a delay, so the election timeout applies; leaderless twice, then elected.
    const { deps, taken } = epochOf([leaderless, leaderless, healthy], 5);

    // Act
    const { report } = await runEpoch(deps);

    // Assess: seen twice 5 ms apart is not enough for a leaderless group.
    expect(taken()).toBe(3);
    expect(report.findings).toEqual([]);
    expect(report.confirmation).toMatchObject({ resamples: 2, cleared: [{ kind: 'meta_no_leader' }] });
  });

  it('a leaderless group that outlasts every resample is judged, a warning on first sight', async () => {
    // Prepare
    const { deps, taken } = epochOf([leaderless], 5);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    expect(taken()).toBe(1 + MAX_RESAMPLES);
    expect(report.findings.find((f) => f.check === 'meta_no_leader')).toMatchObject({ severity: 'warning', details: { confirmation: { outcome: 'confirmed' } } });
    expect(formatText(report)).toContain(`note: sampled ${MAX_RESAMPLES} more times, 5 ms apart, to confirm signs of an election; still there: meta:default`);
  });

  it('a disagreement seen in two samples is judged after one resample, however long the delay', async () => {
    // Prepare
    const { deps, taken } = epochOf([electing, electing], 5);

    // Act
    const { report } = await runEpoch(deps);

    // Assess
    expect(taken()).toBe(2);
    expect(report.findings.find((f) => f.check === 'meta_leader_disagreement')?.details.confirmation).toMatchObject({ outcome: 'confirmed' });
  });
});

describe('confirmation within a time budget (a Lambda\'s timeout)', () => {
  /** A budget whose remaining time is read from `left`, one value per read (the last repeats). */
  function budget(left: readonly number[], sampleMs: number) {
    let reads = 0;
    return { remainingMs: () => left[Math.min(reads++, left.length - 1)]!, sampleMs, reads: () => reads };
  }

  it('with no time for a delay and a whole sample, the first sample is judged and the report says so', async () => {
    // Prepare: 5 ms delay + a 1 s sample do not fit in 1,004 ms.
    const { deps, taken } = epochOf([electing, healthy], 5);
    const limit = budget([1_004], 1_000);

    // Act
    const { report } = await runEpoch({ ...deps, confirm: { delayMs: 5, budget: limit } });

    // Assess
    expect(taken()).toBe(1);
    expect(report.confirmation).toMatchObject({ resamples: 0, outOfTime: true, seen: [{ kind: 'meta_disagreement' }], confirmed: [], cleared: [] });
    expect(report.findings.find((f) => f.check === 'meta_leader_disagreement')?.severity).toBe('warning');
    expect(formatText(report)).toContain('no time was left to sample again after 5 ms, so the first sample was judged');
  });

  it('a resample that just fits is taken', async () => {
    // Prepare: exactly delay + sample left.
    const { deps, taken } = epochOf([electing, healthy], 5);

    // Act
    const { report } = await runEpoch({ ...deps, confirm: { delayMs: 5, budget: budget([1_005], 1_000) } });

    // Assess
    expect(taken()).toBe(2);
    expect(report.findings).toEqual([]);
    expect(report.confirmation).toMatchObject({ resamples: 1, cleared: [{ kind: 'meta_disagreement' }] });
    expect(report.confirmation?.outOfTime).toBeUndefined();
  });

  it('stops resampling an unsettled sign when the time runs out, and judges the last sample taken', async () => {
    // Prepare: leaderless needs an election timeout of watching; time for one resample only.
    const { deps, taken } = epochOf([leaderless], 5);
    const limit = budget([60_000, 1_004], 1_000);

    // Act
    const { report } = await runEpoch({ ...deps, confirm: { delayMs: 5, budget: limit } });

    // Assess
    expect(taken()).toBe(2);
    expect(limit.reads()).toBe(2);
    expect(report.confirmation).toMatchObject({ resamples: 1, outOfTime: true, confirmed: [{ kind: 'meta_no_leader' }] });
    expect(report.findings.find((f) => f.check === 'meta_no_leader')).toMatchObject({ severity: 'warning', details: { confirmation: { outcome: 'confirmed' } } });
    expect(formatText(report)).toContain('note: sampled again after 5 ms to confirm signs of an election; still there: meta:default (no answering server knows a meta leader); no time was left to sample once more, so the last sample taken was judged');
  });

  it('a healthy first sample never reads the budget', async () => {
    // Prepare
    const { deps, taken } = epochOf([healthy], 5);
    const limit = budget([0], 1_000);

    // Act
    const { report } = await runEpoch({ ...deps, confirm: { delayMs: 5, budget: limit } });

    // Assess
    expect(taken()).toBe(1);
    expect(limit.reads()).toBe(0);
    expect(report.confirmation).toBeUndefined();
  });
});

describe('SignWatch', () => {
  const noLeader: ElectionSign = { kind: 'meta_no_leader', subject: 'meta:default', summary: 'no answering server knows a meta leader' };
  const disagreement: ElectionSign = { kind: 'meta_disagreement', subject: 'meta:default', summary: 'servers disagree on the meta leader' };

  it('settles a sign seen in two samples; no known leader only once watched for the longest election timeout', () => {
    // Prepare
    const watch = new SignWatch([noLeader, disagreement], 0);

    // Act / Assess
    expect(watch.unsettled(0, 3_000)).toEqual([noLeader, disagreement]);
    watch.observe([noLeader, disagreement], 3_000);
    expect(watch.unsettled(3_000, 3_000)).toEqual([noLeader]);
    watch.observe([noLeader], 6_000);
    expect(watch.unsettled(ELECTION_TIMEOUT_MAX_MS - 1, 3_000)).toEqual([noLeader]);
    expect(watch.unsettled(ELECTION_TIMEOUT_MAX_MS, 3_000)).toEqual([]);
  });

  it('a sign that clears and comes back starts its watch again', () => {
    // Prepare
    const watch = new SignWatch([noLeader], 0);
    watch.observe([], 3_000);

    // Act
    watch.observe([noLeader], 6_000);
    watch.observe([noLeader], 9_000);

    // Assess: seen twice, but only 3 s since it came back.
    expect(watch.unsettled(9_000, 3_000)).toEqual([noLeader]);
    expect(watch.unsettled(15_000, 3_000)).toEqual([]);
  });

  it('with no delay, two samples settle every sign', () => {
    // Prepare
    const watch = new SignWatch([noLeader], 0);

    // Act
    watch.observe([noLeader], 0);

    // Assess
    expect(settleTimeOf(noLeader, 0)).toBe(0);
    expect(watch.unsettled(0, 0)).toEqual([]);
  });
});

describe('confirmation in the text report', () => {
  it('says what the second sample confirmed and what had cleared', async () => {
    // Prepare
    const cleared = await runEpoch(epochOf([electing, healthy]).deps);
    const confirmed = await runEpoch(epochOf([electing, electing]).deps);

    // Act / Assess
    expect(formatText(cleared.report)).toContain(
      'note: sampled again after 0 ms to confirm signs of an election; gone (an election that ended): meta:default (servers disagree on the meta leader)',
    );
    expect(formatText(confirmed.report)).toContain('still there: meta:default (servers disagree on the meta leader)');
  });
});
