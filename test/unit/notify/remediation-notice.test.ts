import { describe, expect, it } from 'vitest';
import { remediationNotice } from '../../../lib/notify/remediation-notice.js';
import type { RebalanceRun } from '../../../lib/rebalance/run-rebalance.js';
import type { ClusterPlan, Move } from '../../../lib/rebalance/types.js';
import { report } from '../../support/report-fixtures.js';

const counts = (streams: number) => ({ streams, consumers: 0, total: streams });

/** n1 leads three streams of 100 msg/s each, n2 and n3 one idle stream each; by load two moves even it out. */
const loadPlan: ClusterPlan = {
  cluster: 'c1',
  by: 'load',
  servers: [
    { name: 'n1', before: counts(3), after: counts(1), loadBefore: 300, loadAfter: 100 },
    { name: 'n2', before: counts(1), after: counts(2), loadBefore: 0, loadAfter: 100 },
    { name: 'n3', before: counts(1), after: counts(2), loadBefore: 0, loadAfter: 100 },
  ],
  moves: [
    { kind: 'stream', account: 'APP', stream: 'S1', from: 'n1', to: 'n2', load: 100 },
    { kind: 'stream', account: 'APP', stream: 'S2', from: 'n1', to: 'n3', load: 100 },
  ],
  unmovable: [],
  maxBefore: 3,
  maxAfter: 2,
  average: 5 / 3,
  maxLoadBefore: 300,
  maxLoadAfter: 100,
  optimal: true,
};

/** A run capped at one move: the first done, the second left for a later epoch. */
function cappedRun(after: ClusterPlan | undefined): RebalanceRun {
  const [first, second] = loadPlan.moves as [Move, Move];
  return {
    plan: { clusters: [loadPlan] },
    missingCredentials: [],
    executions: [
      {
        cluster: 'c1',
        result: {
          outcomes: [
            { move: first, result: 'moved', leader: 'n2', stepDowns: 1 },
            { move: second, result: 'not_attempted', stepDowns: 0 },
          ],
          stoppedBy: 'the cap of 1 moves per run was reached',
        },
      },
    ],
    ...(after ? { after: { clusters: [after] } } : {}),
    complete: false,
  };
}

describe('remediationNotice', () => {
  it('for a plan by load, carries the check that called for it and the busiest server\'s writes, not leader counts', () => {
    // Prepare: the verification sample finds n1 at 200 msg/s, n2 at 100.
    const after: ClusterPlan = { ...loadPlan, maxBefore: 2, maxLoadBefore: 200, maxLoadAfter: 100 };

    // Act
    const notice = remediationNotice(report(), cappedRun(after), 'leader_load_concentration');

    // Assess
    expect(notice).toMatchObject({ check: 'leader_load_concentration', subject: 'auto-rebalance', transition: 'remediation' });
    expect(notice.summary).toBe(
      'Auto-rebalance moved 1 of 1 leader attempted; writes on the busiest server 300 -> 200 msg/s (planned: 100) (stopped: the cap of 1 moves per run was reached)',
    );
    expect(notice.summary).not.toContain('most leaders');
    expect(notice.actions).toEqual(['moved: stream APP/S1 n1 -> n2 (1 step-down, now led by n2)']);
  });

  it('without a verification sample, says only what was planned', () => {
    expect(remediationNotice(report(), cappedRun(undefined), 'leader_load_concentration').summary).toContain('writes on the busiest server 300 msg/s (planned: 100)');
  });

  it('for a plan by count, reports the most leaders on one server before and after', () => {
    // Prepare
    const countPlan: ClusterPlan = { ...loadPlan, by: 'count', maxLoadBefore: undefined, maxLoadAfter: undefined };
    const run: RebalanceRun = { ...cappedRun({ ...countPlan, maxBefore: 2 }), plan: { clusters: [countPlan] } };

    // Act
    const notice = remediationNotice(report(), run, 'uneven_leader_distribution');

    // Assess
    expect(notice.check).toBe('uneven_leader_distribution');
    expect(notice.summary).toContain('; most leaders on one server 3 -> 2');
    expect(notice.summary).not.toContain('writes');
  });
});
