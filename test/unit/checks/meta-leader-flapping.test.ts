import { describe, expect, it } from 'vitest';
import { metaLeaderFlapping } from '../../../lib/checks/meta-leader-flapping.js';
import type { EpochSummary } from '../../../lib/checks/types.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { T0, healthyReplies, jsz, sample, servers } from '../../support/sample-builder.js';

/** One summary per epoch, oldest first, for the `default` meta group. */
function history(...leaders: (string | null)[]): EpochSummary[] {
  return leaders.map((leader, i) => ({ id: i + 1, startedAt: T0 - (leaders.length - i) * 60_000, metaLeaders: { default: leader } }));
}

const ledBy = (leader: string) => sample({ replies: healthyReplies({ leader }) });

describe('meta_leader_flapping', () => {
  it('more changes than max_changes within the window is a warning listing the leaders', () => {
    // Prepare: n1, n2, n1, n2 before, n1 now: 4 changes in 5 epochs.
    const past = history('n1', 'n2', 'n1', 'n2');

    // Act
    const finding = onlyFinding(runCheck(metaLeaderFlapping, ledBy('n1'), { history: past }));

    // Assess
    expect(finding).toMatchObject({
      subject: 'meta:default',
      severity: 'warning',
      summary: 'The meta leader changed 4 times in the last 5 epochs (limit 3)',
      details: { metaGroup: 'default', changes: 4, epochs: 5, leaders: ['n1', 'n2', 'n1', 'n2', 'n1'] },
    });
    expect(finding.remediation.join('\n')).toContain('JetStream cluster new metadata leader');
  });

  it('exactly max_changes is tolerated', () => {
    expect(runCheck(metaLeaderFlapping, ledBy('n2'), { history: history('n1', 'n2', 'n1') })).toEqual([]);
  });

  it('an epoch without a leader is part of an election: a -> none -> b counts once', () => {
    // Prepare: n1, -, n2, -, n1, -, n2 and n2 now: 3 changes, not 6.
    const past = history('n1', null, 'n2', null, 'n1', null, 'n2');

    // Act / Assess
    expect(runCheck(metaLeaderFlapping, ledBy('n2'), { history: past })).toEqual([]);
  });

  it('counts only the last window_epochs epochs, this one included', () => {
    // Prepare: five changes long ago, then 10 quiet epochs.
    const past = history('n1', 'n2', 'n1', 'n2', 'n1', 'n2', ...Array<string>(10).fill('n2'));

    // Act / Assess
    expect(runCheck(metaLeaderFlapping, ledBy('n2'), { history: past })).toEqual([]);
    const wide = onlyFinding(runCheck(metaLeaderFlapping, ledBy('n2'), { history: past, thresholds: { window_epochs: 17 } }));
    expect(wide.details).toMatchObject({ changes: 5, epochs: 17 });
  });

  it('honours an overridden max_changes', () => {
    expect(onlyFinding(runCheck(metaLeaderFlapping, ledBy('n1'), { history: history('n1', 'n2'), thresholds: { max_changes: 1 } })).details.changes).toBe(2);
  });

  it('this epoch without a prevailing leader adds no change', () => {
    // Prepare: a tie (n1 says n1, n2 says n2, n3 says none) has no prevailing leader.
    const s = servers(['n1', 'n2', 'n3']);
    const tie = sample({
      replies: {
        n1: { jsz: jsz(s.n1, { meta: { leader: 'n1' } }) },
        n2: { jsz: jsz(s.n2, { meta: { leader: 'n2' } }) },
        n3: { jsz: jsz(s.n3, { meta: { leader: null } }) },
      },
    });

    // Act / Assess
    expect(runCheck(metaLeaderFlapping, tie, { history: history('n1', 'n2', 'n1', 'n2') })).toEqual([]);
  });

  it('no history, another meta group’s history, or a silent cluster give no finding', () => {
    // Prepare
    const otherGroup = history('n1', 'n2', 'n1', 'n2').map((e) => ({ ...e, metaLeaders: { hub: e.metaLeaders.default ?? null } }));

    // Act / Assess
    expect(runCheck(metaLeaderFlapping, ledBy('n1'))).toEqual([]);
    expect(runCheck(metaLeaderFlapping, ledBy('n1'), { history: otherGroup })).toEqual([]);
    expect(runCheck(metaLeaderFlapping, sample({ replies: {}, vantages: [] }), { history: history('n1', 'n2', 'n1', 'n2', 'n1') })).toEqual([]);
  });
});
