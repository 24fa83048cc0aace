import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEADER_BALANCE_DEFAULTS, leaderBalanceThresholds } from '../../lib/domain/leader-balance.js';
import { leaderBalanceFor, unevenLeaderDistribution } from '../../lib/checks/uneven-leader-distribution.js';
import { countsOwnLeaders } from '../../lib/replies/index.js';
import {
  MAX_SUMMARY_BYTES,
  needsDetailAlways,
  serversNeedingDetail,
  summaryOf,
  type ServerSummary,
} from '../../lib/sampling/detail-policy.js';
import { wasDecoded } from '../../lib/domain/decode-reply.js';
import type { RawReply } from '../../lib/domain/raw-sample.js';
import { onlyFinding, runCheck } from '../support/run-check.js';
import { T0, errorReply, jsz, sample, serverId, servers, type ServerSpec } from '../support/sample-builder.js';

const DEFAULTS = LEADER_BALANCE_DEFAULTS;

/** A reply as gather hands it over: decompressed text, or none. */
const arrived = (body?: string): RawReply => ({ latencyMs: 1, receivedAt: T0, wireBytes: body?.length ?? 0, ...(body === undefined ? {} : { body }) });

/** A summary as `summaryOf` makes it; `streams`/`consumers` undefined: the server omitted the count. */
function summary(name: string, streams?: number, consumers?: number, over: Partial<ServerSummary> = {}): ServerSummary {
  return { id: `N${name.toUpperCase()}`, name, cluster: 'c1', version: '2.11.12', jetstream: true, streamsLeader: streams, consumersLeader: consumers, ...over };
}

/** The summary body a server sends for `{raft: true}` (no `account_details`). */
function summaryBody(server: ServerSpec, streamsLeader?: number, consumersLeader?: number): string {
  return jsz(server, {
    meta: { leader: 'n1' },
    ...(streamsLeader === undefined ? {} : { streamsLeader }),
    ...(consumersLeader === undefined ? {} : { consumersLeader }),
  });
}

describe('countsOwnLeaders / needsDetailAlways', () => {
  it.each([
    ['2.9.10', false],
    ['2.10.29', false],
    ['2.11.10', false],
    ['2.11.11', true],
    ['v2.11.12', true],
    ['2.12.0', false],
    ['2.12.0-beta.1', false],
    ['2.12.1', true],
    ['2.12.15', true],
    ['2.13.0', true],
    ['3.0.0', true],
    ['nonsense', false],
  ])('%s counts its own leaders: %s', (version, counts) => {
    // Act / Assess
    expect(countsOwnLeaders(version)).toBe(counts);
    expect(needsDetailAlways(version)).toBe(!counts);
  });

  it('a server of unknown version is asked for detail', () => {
    // Act / Assess
    expect(needsDetailAlways(undefined)).toBe(true);
  });
});

describe('summaryOf', () => {
  it('reads the envelope and the leader counts of a small valid JSZ reply', () => {
    // Prepare
    const n1 = { name: 'n1', version: '2.11.12', cluster: 'east', time: T0 };

    const reply = arrived(summaryBody(n1, 7, 3));

    // Act
    const got = summaryOf(reply);

    // Assess: validated once, for the decision and for observe() alike.
    expect(wasDecoded(reply)).toBe(true);
    expect(got).toEqual({ id: serverId(n1), name: 'n1', cluster: 'east', version: '2.11.12', jetstream: true, streamsLeader: 7, consumersLeader: 3 });
  });

  it('reads the recorded 2.11.12 and 2.12.15 summaries', () => {
    for (const [fixture, version] of [
      ['jsz-2.11.12-raft.json', '2.11.12'],
      ['jsz-2.12.15-raft.json', '2.12.15'],
    ] as const) {
      // Prepare: the recorded reply without its detail, as a `{raft: true}` PING returns it.
      const reply = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'replies', fixture), 'utf8')) as {
        data: Record<string, unknown>;
      };
      delete reply.data.account_details;

      // Act
      const got = summaryOf(arrived(JSON.stringify(reply)));

      // Assess
      expect(got).toMatchObject({ version, jetstream: true });
      expect(got?.streamsLeader).toBeGreaterThanOrEqual(0);
    }
  });

  it('skips whatever is not a small valid reply', () => {
    // Prepare
    const n1 = { name: 'n1', version: '2.11.12', time: T0 };
    const big = summaryBody(n1, 1).replace('"memory":0', `"memory":0,"pad":"${'x'.repeat(MAX_SUMMARY_BYTES)}"`);

    // Act / Assess
    expect(summaryOf(arrived())).toBeUndefined();
    expect(summaryOf(arrived('{not json'))).toBeUndefined();
    expect(summaryOf(arrived(errorReply(n1, 400, 'bad request')))).toBeUndefined();
    expect(summaryOf(arrived(summaryBody(n1, -1)))).toBeUndefined();
    expect(summaryOf(arrived(big))).toBeUndefined();
  });

  it('marks a server without JetStream', () => {
    // Act / Assess
    expect(summaryOf(arrived(jsz({ name: 'x', cluster: null, time: T0 }, { disabled: true })))?.jetstream).toBe(false);
  });
});

describe('serversNeedingDetail', () => {
  it('a balanced cluster of counting servers needs no detail', () => {
    // Act / Assess
    expect(serversNeedingDetail([summary('n1', 3, 9), summary('n2', 3, 9), summary('n3', 3, 9)], DEFAULTS)).toEqual([]);
  });

  it('only the hot server, once, whichever metrics make it hot', () => {
    // Prepare: n1 is hot on streams and total; n3 omitted both zero counts.
    const summaries = [summary('n1', 9, 1), summary('n2', 2, 1), summary('n3')];

    // Act / Assess
    expect(serversNeedingDetail(summaries, DEFAULTS)).toEqual(['NN1']);
  });

  it('every hot server of a tie', () => {
    // Prepare
    const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    const summaries = names.map((n) => summary(n, n === 'n1' || n === 'n2' ? 6 : 0));

    // Act / Assess
    expect(serversNeedingDetail(summaries, DEFAULTS)).toEqual(['NN1', 'NN2']);
  });

  it('honours ratio and min_excess as the check does (strictly above the ratio)', () => {
    // Prepare: 9/6/3 is exactly 1.5x with an excess of 3; 2/0/0 is 3x with an excess of 1.33.
    const exact = [summary('n1', 9), summary('n2', 6), summary('n3', 3)];
    const tiny = [summary('n1', 2), summary('n2'), summary('n3')];

    // Act / Assess
    expect(serversNeedingDetail(exact, DEFAULTS)).toEqual([]);
    expect(serversNeedingDetail(exact, { ratio: 1.4, minExcess: 2 })).toEqual(['NN1']);
    expect(serversNeedingDetail(tiny, DEFAULTS)).toEqual([]);
    expect(serversNeedingDetail(tiny, { ratio: 1.5, minExcess: 1 })).toEqual(['NN1']);
  });

  it('a cluster with a member that cannot count needs detail from every member', () => {
    // Prepare: balanced counts, but n3 runs 2.10 (or 2.12.0, which has no counts).
    for (const version of ['2.10.29', '2.12.0']) {
      const summaries = [summary('n1', 3), summary('n2', 3), summary('n3', undefined, undefined, { version })];

      // Act / Assess
      expect(serversNeedingDetail(summaries, DEFAULTS)).toEqual(['NN1', 'NN2', 'NN3']);
    }
  });

  it('counting servers that sent no count at all need detail from every member (the counts were not asked for)', () => {
    // Act / Assess
    expect(serversNeedingDetail([summary('n1'), summary('n2'), summary('n3')], DEFAULTS)).toEqual(['NN1', 'NN2', 'NN3']);
  });

  it('decides per cluster; ignores servers without JetStream and a cluster of one; counts a server heard twice once', () => {
    // Prepare
    const summaries = [
      summary('e1', 9, 0, { cluster: 'east' }),
      summary('e2', 1, 0, { cluster: 'east' }),
      summary('e3', 1, 0, { cluster: 'east' }),
      summary('e3', 1, 0, { cluster: 'east' }),
      summary('w1', 9, 0, { cluster: 'west' }),
      summary('w2', 9, 0, { cluster: 'west' }),
      summary('w3', 9, 0, { cluster: 'west' }),
      summary('lone', 50, 0, { cluster: 'solo' }),
      summary('old', undefined, undefined, { cluster: 'solo2', version: '2.9.10' }),
      summary('nojs', 0, 0, { cluster: 'east', jetstream: false, version: '2.9.10' }),
    ];

    // Act / Assess
    expect(serversNeedingDetail(summaries, DEFAULTS)).toEqual(['NE1']);
  });

  it('flags exactly the servers the check then calls hot by their counts', () => {
    // Prepare: one sample per case; gather's decision from the summaries vs the check's finding.
    const v = servers(['n1', 'n2', 'n3', 'n4'], { version: '2.12.15', time: T0 });
    const cases: [number, number][][] = [
      [[12, 4], [1, 0], [0, 0], [2, 1]],
      [[5, 5], [5, 5], [5, 5], [5, 5]],
      [[0, 30], [0, 1], [9, 1], [0, 0]],
      [[8, 0], [8, 0], [0, 0], [0, 0]],
    ];
    for (const counts of cases) {
      const names = ['n1', 'n2', 'n3', 'n4'] as const;
      const bodies = names.map((n, i) => summaryBody(v[n], counts[i]![0] || undefined, counts[i]![1] || undefined));

      // Act
      const flagged = serversNeedingDetail(bodies.map((b) => summaryOf(arrived(b))!), DEFAULTS);
      const findings = runCheck(unevenLeaderDistribution, sample({ replies: Object.fromEntries(names.map((n, i) => [n, { jsz: bodies[i]! }])) }));

      // Assess
      const hot = findings.length === 0 ? [] : [...new Set((onlyFinding(findings).details.hot as { server: string }[]).map((h) => h.server))];
      expect(flagged.map((id) => names.find((n) => serverId(v[n]) === id))).toEqual(hot);
    }
  });
});

describe('leader balance thresholds', () => {
  it("default to the check's own defaults and take its overrides", () => {
    // Prepare
    const defaults = Object.fromEntries(unevenLeaderDistribution.thresholds.map((t) => [t.key, t.default]));

    // Act / Assess
    expect(leaderBalanceThresholds(undefined)).toEqual({ ratio: defaults.ratio, minExcess: defaults.min_excess });
    expect(leaderBalanceFor({})).toEqual(LEADER_BALANCE_DEFAULTS);
    expect(leaderBalanceFor({ uneven_leader_distribution: { ratio: 2 }, other_check: { ratio: 9 } })).toEqual({ ratio: 2, minExcess: 2 });
    expect(leaderBalanceFor({ uneven_leader_distribution: { min_excess: 0, critical_ratio: 5 } })).toEqual({ ratio: 1.5, minExcess: 0 });
  });
});
