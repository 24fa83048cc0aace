import { describe, expect, it } from 'vitest';
import { leaderLoadConcentration } from '../../../lib/checks/leader-load-concentration.js';
import { unevenLeaderDistribution } from '../../../lib/checks/uneven-leader-distribution.js';
import { groupRates } from '../../../lib/load/group-rates.js';
import { nextSnapshot } from '../../../lib/load/load-snapshot.js';
import type { RaftGroup } from '../../../lib/observation/types.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { loadObservation, loadStream } from '../../support/load-groups.js';

/** Each stream [name, leader, messages written in the 10 s between two epochs]. */
function epochs(streams: readonly (readonly [string, string, number])[]) {
  const first = loadObservation(streams.map(([name, leader]) => loadStream({ name, leader, seq: 1000 })));
  const second = loadObservation(streams.map(([name, leader, writes]) => loadStream({ name, leader, seq: 1000 + writes, atMs: 10_000 })));
  return { observation: second, load: groupRates(nextSnapshot(undefined, first, 1), second)! };
}

describe('leader_load_concentration', () => {
  it('flags the server that leads its share of streams but all of the writes, says the count hides it, and lists the step-downs', () => {
    // Prepare: two streams each, n1's carry 3000 msg/s between them
    const { observation, load } = epochs([
      ['A', 'n1', 20_000],
      ['B', 'n1', 10_000],
      ['C', 'n2', 0],
      ['D', 'n2', 0],
      ['E', 'n3', 0],
      ['F', 'n3', 0],
    ]);

    // Act
    const finding = onlyFinding(runCheck(leaderLoadConcentration, observation, { load }));

    // Assess
    expect(finding.subject).toBe('cluster:c1');
    expect(finding.severity).toBe('critical'); // 3.0x: judge starts it as a warning until it persists
    expect(finding.summary).toBe(
      'Write load concentrated in cluster c1: n1 leads 2 of 6 replicated streams, no more than its share by count, but 100 % of the writes (3000 msg/s, 3.0x the average of 1000 msg/s): the load is what matters here, and the leader count hides it',
    );
    expect(finding.details).toMatchObject({
      totalWrites: 3000,
      average: 1000,
      servers: { n1: { writes: 3000, share: 1, streamsLed: 2 }, n2: { writes: 0, streamsLed: 2 } },
      hot: [{ server: 'n1', writes: 3000, ratio: 3, countHot: false, busiest: [{ stream: 'A', writes: 2000 }, { stream: 'B', writes: 1000 }] }],
      stepDowns: [{ stream: 'A', from: 'n1', to: 'n2', writes: 2000 }],
      stepDownsTotal: 1,
      loadAfterStepDowns: { n1: 1000, n2: 2000, n3: 0 },
    });
    expect(finding.remediation[1]).toBe('nats stream cluster step-down A  # until n2 leads (APP)');
  });

  it('reports consumer deliveries per server beside the writes on the epochs that rate consumers, and judges the writes alone', () => {
    // Prepare: n1's stream takes all writes; n2 and n3 lead the consumers that deliver them, 5000 msg/s between them
    const { observation, load } = epochs([
      ['A', 'n1', 20_000],
      ['B', 'n2', 0],
      ['C', 'n3', 0],
    ]);
    const consumer = (leader: string, delivered: number, atMs: number): RaftGroup => ({
      ...loadStream({ name: 'A', leader, seq: 0 }),
      kind: 'consumer',
      consumer: `C_${leader}`,
      counters: { at: Date.UTC(2026, 0, 1, 12) + atMs, seq: delivered, ackFloor: delivered, created: 'c' },
    });
    const before = loadObservation([consumer('n2', 0, 0), consumer('n3', 0, 0)]);
    const after = loadObservation([consumer('n2', 30_000, 10_000), consumer('n3', 20_000, 10_000)]);
    const consumers = groupRates(nextSnapshot(undefined, before, 1, { kind: 'consumer' }), after, { kind: 'consumer' })!;

    // Act
    const withDeliveries = onlyFinding(runCheck(leaderLoadConcentration, observation, { load: { ...load, consumers } }));
    const without = onlyFinding(runCheck(leaderLoadConcentration, observation, { load }));

    // Assess
    expect(withDeliveries.details).toMatchObject({
      servers: { n1: { writes: 2000, deliveries: 0 }, n2: { writes: 0, deliveries: 3000 }, n3: { writes: 0, deliveries: 2000 } },
      hot: [{ server: 'n1' }],
      deliveriesSince: 1,
    });
    expect(withDeliveries.summary).toBe(without.summary);
    expect(withDeliveries.severity).toBe(without.severity);
    expect((without.details.servers as Record<string, object>).n2).not.toHaveProperty('deliveries');
    expect(without.details).not.toHaveProperty('deliveriesSince');
  });

  it('stops once only a swap of the peak is left: two equally busy streams on n1 need one step-down, not two', () => {
    // 502 and 501 writes: (a + b) - a exceeds b in the last bit of a double
    const { observation, load } = epochs([
      ['A', 'n1', 502],
      ['B', 'n1', 501],
      ['C', 'n2', 0],
      ['D', 'n3', 0],
    ]);
    const finding = onlyFinding(runCheck(leaderLoadConcentration, observation, { load, thresholds: { min_rate: 1 } }));
    expect(finding.details).toMatchObject({ stepDownsTotal: 1, stepDowns: [{ stream: 'A', to: 'n2' }] });
  });

  it('says count and load agree when the server is hot by both', () => {
    const { observation, load } = epochs([
      ['A', 'n1', 5000],
      ['B', 'n1', 5000],
      ['C', 'n1', 5000],
      ['D', 'n1', 5000],
      ['E', 'n1', 5000],
      ['F', 'n1', 5000],
      ['G', 'n2', 100],
      ['H', 'n3', 100],
    ]);
    const finding = onlyFinding(runCheck(leaderLoadConcentration, observation, { load }));
    expect(finding.summary).toContain('n1 leads 6 of 8 replicated streams and 99 % of the writes');
    expect(finding.summary).toContain('count and load agree');
  });

  it('an idle cluster never flags: one stray write is all of the writes but below min_rate', () => {
    const { observation, load } = epochs([
      ['A', 'n1', 30],
      ['B', 'n2', 0],
      ['C', 'n3', 0],
    ]);
    expect(runCheck(leaderLoadConcentration, observation, { load })).toEqual([]);
    expect(runCheck(leaderLoadConcentration, observation, { load, thresholds: { min_rate: 1 } })).toHaveLength(1);
  });

  it('an even write load passes, however uneven the counts', () => {
    const { observation, load } = epochs([
      ['A', 'n1', 1000],
      ['B', 'n1', 1000],
      ['C', 'n1', 1000],
      ['D', 'n1', 1000],
      ['E', 'n2', 4000],
      ['F', 'n3', 4000],
    ]);
    expect(runCheck(leaderLoadConcentration, observation, { load })).toEqual([]);
  });

  it('is not judged without rates (a first epoch) or while an expected server is silent', () => {
    const { observation, load } = epochs([
      ['A', 'n1', 20_000],
      ['B', 'n2', 0],
      ['C', 'n3', 0],
    ]);
    expect(runCheck(leaderLoadConcentration, observation)).toEqual([]);
    expect(runCheck(leaderLoadConcentration, { ...observation, expectedServerCount: 4 }, { load })).toEqual([]);
  });

  it('lists no step-down when the one busy stream cannot go anywhere better, and says why', () => {
    const { observation, load } = epochs([
      ['A', 'n1', 30_000],
      ['B', 'n2', 0],
      ['C', 'n3', 0],
    ]);
    const finding = onlyFinding(runCheck(leaderLoadConcentration, observation, { load }));
    expect(finding.details).toMatchObject({ stepDownsTotal: 0 });
    expect(finding.remediation[0]).toContain('no step-down is listed');
  });

  it('never suggests moving to an unhealthy replica or a group seen only by a follower', () => {
    const { observation, load } = epochs([
      ['A', 'n1', 20_000],
      ['B', 'n1', 10_000],
      ['C', 'n2', 0],
      ['D', 'n3', 0],
    ]);
    const sick = (g: RaftGroup): RaftGroup =>
      g.stream === 'A' ? { ...g, replicas: g.replicas.map((r) => ({ ...r, current: false, offline: true })) } : g.stream === 'B' ? { ...g, reportedBy: 'n2' } : g;
    const rates = { ...load, rates: load.rates.map((r) => ({ ...r, group: sick(r.group) })) };
    const finding = onlyFinding(runCheck(leaderLoadConcentration, observation, { load: rates }));
    expect(finding.details).toMatchObject({ stepDownsTotal: 0 });
  });

  it('when the count check flags a server that leads idle streams, its finding says the count matters for failover, not throughput', () => {
    // Prepare: n1 leads 6 of 8 streams, all idle; n2 and n3 carry the writes
    const { observation, load } = epochs([
      ...['A', 'B', 'C', 'D', 'E', 'F'].map((name) => [name, 'n1', 0] as const),
      ['G', 'n2', 5000],
      ['H', 'n3', 5000],
    ]);

    // Act
    const count = onlyFinding(runCheck(unevenLeaderDistribution, observation, { load }));

    // Assess
    expect(runCheck(leaderLoadConcentration, observation, { load })).toEqual([]);
    expect(count.details).toMatchObject({ writeShares: { n1: 0 } });
    expect(count.remediation.at(-1)).toBe(
      'By write load, n1 leads 0 % of the writes, no more than its share: the count matters for failover (each group it leads holds an election if it goes), not for throughput (leader_load_concentration judges that).',
    );
    // Without rates, the finding is as before.
    expect(onlyFinding(runCheck(unevenLeaderDistribution, observation)).details).not.toHaveProperty('writeShares');
  });

  it("the README's worked example: ten streams each, n1's take 800 of 1000 msg/s", () => {
    const { observation, load } = epochs(
      Array.from({ length: 30 }, (_, i) => [`S${String(i).padStart(2, '0')}`, `n${Math.floor(i / 10) + 1}`, i < 10 ? 800 : 100] as const),
    );
    const finding = onlyFinding(runCheck(leaderLoadConcentration, observation, { load }));
    expect(finding.summary).toBe(
      'Write load concentrated in cluster c1: n1 leads 10 of 30 replicated streams, no more than its share by count, but 80 % of the writes (800 msg/s, 2.4x the average of 333.3 msg/s): the load is what matters here, and the leader count hides it',
    );
    expect(runCheck(unevenLeaderDistribution, observation, { load })).toEqual([]);
  });
});
