import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unevenLeaderDistribution } from '../../../lib/checks/uneven-leader-distribution.js';
import { onlyFinding, runCheck, runCheckVerdict } from '../../support/run-check.js';
import {
  UINT64_MAX_TEXT,
  fullMesh,
  healthyReplies,
  jsz,
  replicatedStreams,
  sample,
  servers,
  type StreamSpec,
} from '../../support/sample-builder.js';

/** A healthy n1..nN cluster whose stream groups are reported by their leaders. */
function clusterLeading(streams: Readonly<Record<string, readonly StreamSpec[]>>, names = ['n1', 'n2', 'n3']) {
  return sample({ replies: healthyReplies({ names, streams }) });
}

/** `count` R3 streams led by `leader`, followed by the two other servers of n1..n3. */
function led(leader: string, count: number, names = ['n1', 'n2', 'n3']): StreamSpec[] {
  return replicatedStreams(count, leader, names.filter((n) => n !== leader).slice(0, 2));
}

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/replies/${name}`, import.meta.url), 'utf8');
}

describe('uneven_leader_distribution', () => {
  it('a server leading 2x its share is a warning naming its streams to step down', () => {
    // Prepare: n1 leads 6 of 9 R3 streams; S01 and S02 have a busy follower (not `current`, but heard
    // from 0.25 s ago and not behind), which the rebalancer's rule counts as healthy.
    const busy = [{ name: 'n2', current: false }, 'n3'] as const;
    const n1Streams = led('n1', 6).map((s, i) => (i < 2 ? { ...s, replicas: busy } : s));
    const observed = clusterLeading({ n1: n1Streams, n2: led('n2', 2), n3: led('n3', 1) });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    expect(finding.subject).toBe('cluster:c1');
    expect(finding.severity).toBe('warning');
    expect(finding.summary).toBe('Leaders concentrated in cluster c1: n1 leads 6 streams (2.0x the average of 3.0)');
    expect(finding.details).toMatchObject({
      cluster: 'c1',
      source: 'groups',
      counts: {
        n1: { streams: 6, consumers: 0, total: 6 },
        n2: { streams: 2, consumers: 0, total: 2 },
        n3: { streams: 1, consumers: 0, total: 1 },
      },
      average: { streams: 3, consumers: 0, total: 3 },
      hot: [
        { server: 'n1', metric: 'streams', count: 6, average: 3, ratio: 2 },
        { server: 'n1', metric: 'total', count: 6, average: 3, ratio: 2 },
      ],
      stepDownsTotal: 3,
    });
    expect(finding.remediation).toEqual([
      'Step down these groups on n1 (one at a time, using credentials of the owning account: APP), re-checking between moves:',
      'nats stream cluster step-down N1_S01',
      'nats stream cluster step-down N1_S02',
      'nats stream cluster step-down N1_S03',
      'Or plan and pace the moves with `nats-audit rebalance` (dry run by default).',
      'Verify: `nats server report jetstream` and another `nats-audit check` show leaders spread evenly.',
    ]);
  });

  it("never suggests a step-down the rebalancer would refuse, and says why those leaders cannot move", () => {
    // Prepare: n1 leads 6 of 9 R3 streams, 3 above its share. S01 and S04 have a replica far behind,
    // S02 one offline (the rebalancer's gate refuses these: a plain step-down could elect it); S03's
    // other replicas are both behind (the planner has nowhere to move it). The old rule
    // (`current && !offline`) ranked S01 and S04 after the others but still listed one to fill the excess.
    const behind = { name: 'n2', current: false, lagText: '5000' };
    const n1Streams = led('n1', 6).map((s, i) =>
      i === 0 || i === 3
        ? { ...s, replicas: [behind, 'n3'] }
        : i === 1
          ? { ...s, replicas: ['n2', { name: 'n3', current: false, offline: true }] }
          : i === 2
            ? { ...s, replicas: [behind, { ...behind, name: 'n3' }] }
            : s,
    );
    const observed = clusterLeading({ n1: n1Streams, n2: led('n2', 2), n3: led('n3', 1) });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess: 3 above the share, but only S05 and S06 can be stepped down.
    expect(finding.details).toMatchObject({
      stepDownsTotal: 2,
      cannotMove: [
        { kind: 'stream', account: 'APP', stream: 'N1_S01', leader: 'n1', reason: 'unhealthy_replica' },
        { kind: 'stream', account: 'APP', stream: 'N1_S02', leader: 'n1', reason: 'unhealthy_replica' },
        { kind: 'stream', account: 'APP', stream: 'N1_S03', leader: 'n1', reason: 'no_current_replica' },
        { kind: 'stream', account: 'APP', stream: 'N1_S04', leader: 'n1', reason: 'unhealthy_replica' },
      ],
      cannotMoveTotal: 4,
    });
    expect(finding.remediation.filter((r) => r.includes('step-down N1_'))).toEqual([
      'nats stream cluster step-down N1_S05',
      'nats stream cluster step-down N1_S06',
    ]);
    expect(finding.remediation).toContain(
      'On n1, 4 leaders cannot move now: 3 with a replica offline, silent or lagging (a step-down could elect it), 1 with no other replica healthy (online, heard from within 3 s, at most 100 entries behind).',
    );
  });

  it('says why nothing is listed when none of the hot leaders can move', () => {
    // Prepare: n1 leads 6 streams whose other replicas are all far behind.
    const behind = (name: string) => ({ name, current: false, lagText: '5000' });
    const n1Streams = led('n1', 6).map((s) => ({ ...s, replicas: [behind('n2'), behind('n3')] }));
    const observed = clusterLeading({ n1: n1Streams, n2: led('n2', 2), n3: led('n3', 1) });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    expect(finding.summary).toBe(
      'Leaders concentrated in cluster c1: n1 leads 6 streams (2.0x the average of 3.0); none of their leaders can move now (6 with no other replica healthy (online, heard from within 3 s, at most 100 entries behind))',
    );
    expect(finding.details).toMatchObject({ stepDownsTotal: 0, cannotMoveTotal: 6 });
    expect(finding.remediation.slice(0, 2)).toEqual([
      'No group led by n1 can be stepped down safely now, so no step-down is listed.',
      'On n1, 6 leaders cannot move now: 6 with no other replica healthy (online, heard from within 3 s, at most 100 entries behind).',
    ]);
  });

  it('3x the average is critical; consumer step-downs name stream and consumer, quoted for the shell', () => {
    // Prepare: n3 leads stream ORDERS; n2 leads 8 of its consumers, one named with a space.
    const consumers = Array.from({ length: 8 }, (_, i) => ({
      name: i === 0 ? 'my consumer' : `c${i + 1}`,
      leader: 'n2',
      replicas: ['n1', 'n3'],
    }));
    // n2 reports the stream too: a consumer's replicas are read from its leader's own view.
    const orders = { name: 'ORDERS', leader: 'n3', replicas: ['n1', 'n2'], consumers };
    const observed = clusterLeading({ n3: [orders], n2: [orders] });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess: consumers 8 vs an average of 2.67 is 3.0x.
    expect(finding.severity).toBe('critical');
    expect(finding.summary).toBe('Leaders concentrated in cluster c1: n2 leads 8 consumers (3.0x the average of 2.7)');
    expect(finding.details).toMatchObject({
      counts: { n1: { streams: 0, consumers: 0, total: 0 }, n2: { streams: 0, consumers: 8, total: 8 }, n3: { streams: 1, consumers: 0, total: 1 } },
      average: { streams: 0.33, consumers: 2.67, total: 3 },
      stepDownsTotal: 5,
    });
    const commands = finding.remediation.filter((r) => r.startsWith('nats consumer cluster step-down'));
    expect(commands).toEqual([
      'nats consumer cluster step-down ORDERS c2',
      'nats consumer cluster step-down ORDERS c3',
      'nats consumer cluster step-down ORDERS c4',
      'nats consumer cluster step-down ORDERS c5',
      'nats consumer cluster step-down ORDERS c6',
    ]);
    expect(finding.details.stepDowns).toContainEqual({ kind: 'consumer', account: 'APP', stream: 'ORDERS', consumer: 'c2', leader: 'n2' });
  });

  it('quotes a stream name the shell would interpret', () => {
    // Prepare
    const odd = led('n1', 9).map((s, i) => (i === 0 ? { ...s, name: "It's" } : s));
    const observed = clusterLeading({ n1: odd });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    expect(finding.remediation).toContain(`nats stream cluster step-down 'It'\\''s'`);
  });

  it('exactly 1.5x the average is not flagged (strictly above); just over it is', () => {
    // Prepare: 9/6/3 is exactly 1.5x with an excess of 3; 10/5/3 is 1.67x.
    const exact = clusterLeading({ n1: led('n1', 9), n2: led('n2', 6), n3: led('n3', 3) });
    const over = clusterLeading({ n1: led('n1', 10), n2: led('n2', 5), n3: led('n3', 3) });

    // Act / Assess
    expect(runCheck(unevenLeaderDistribution, exact)).toEqual([]);
    expect(onlyFinding(runCheck(unevenLeaderDistribution, over)).severity).toBe('warning');
  });

  it('min_excess keeps a tiny cluster quiet until overridden', () => {
    // Prepare: n1 leads 2 of 2: 3x the average, but only 1.33 above it.
    const observed = clusterLeading({ n1: led('n1', 2) });

    // Act / Assess
    expect(runCheck(unevenLeaderDistribution, observed)).toEqual([]);
    expect(onlyFinding(runCheck(unevenLeaderDistribution, observed, { thresholds: { min_excess: 1 } })).severity).toBe('critical');
  });

  it('honours overridden ratio and critical_ratio', () => {
    // Prepare: n1 at 2.0x.
    const observed = clusterLeading({ n1: led('n1', 6), n2: led('n2', 2), n3: led('n3', 1) });

    // Act / Assess
    expect(runCheck(unevenLeaderDistribution, observed, { thresholds: { ratio: 2 } })).toEqual([]);
    expect(onlyFinding(runCheck(unevenLeaderDistribution, observed, { thresholds: { critical_ratio: 2 } })).severity).toBe('critical');
  });

  it('ignores R1 groups: they have no election to move', () => {
    // Prepare: n1 hosts 9 R1 streams.
    const r1 = Array.from({ length: 9 }, (_, i) => ({ name: `R1_${i}`, leader: 'n1' }));
    const observed = clusterLeading({ n1: r1 });

    // Act / Assess
    expect(runCheck(unevenLeaderDistribution, observed)).toEqual([]);
  });

  it('caps the step-down list with "… and N more"', () => {
    // Prepare: n1 leads all 60 streams: 40 above its share.
    const observed = clusterLeading({ n1: led('n1', 60) });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    const commands = finding.remediation.filter((r) => r.startsWith('nats stream cluster step-down'));
    expect(commands).toHaveLength(25);
    expect(finding.remediation).toContain('… and 15 more');
    expect(finding.details.stepDownsTotal).toBe(40);
    expect(finding.details.stepDowns).toHaveLength(25);
  });

  it('names every server of a tie', () => {
    // Prepare: six servers, n1 and n2 lead 6 each.
    const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    const observed = clusterLeading({ n1: led('n1', 6, names), n2: led('n2', 6, names) }, names);

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    expect(finding.summary).toBe(
      'Leaders concentrated in cluster c1: n1 leads 6 streams (3.0x the average of 2.0); n2 leads 6 streams (3.0x the average of 2.0)',
    );
    expect(finding.details.stepDownsTotal).toBe(8);
    expect(finding.remediation[0]).toContain('on n1, n2 ');
  });

  it('counts per cluster: a balanced cluster stays quiet beside a hot one', () => {
    // Prepare
    const east = servers(['e1', 'e2', 'e3'], { cluster: 'east' });
    const west = servers(['w1', 'w2', 'w3'], { cluster: 'west' });
    const streams = (leader: string, others: string[], n: number) => replicatedStreams(n, leader, others);
    const observed = sample({
      replies: {
        e1: { jsz: jsz(east.e1, { meta: { leader: 'e1' }, streams: streams('e1', ['e2', 'e3'], 9) }) },
        e2: { jsz: jsz(east.e2, { meta: { leader: 'e1' } }) },
        e3: { jsz: jsz(east.e3, { meta: { leader: 'e1' } }) },
        w1: { jsz: jsz(west.w1, { meta: { leader: 'e1' }, streams: streams('w1', ['w2', 'w3'], 3) }) },
        w2: { jsz: jsz(west.w2, { meta: { leader: 'e1' }, streams: streams('w2', ['w1', 'w3'], 3) }) },
        w3: { jsz: jsz(west.w3, { meta: { leader: 'e1' }, streams: streams('w3', ['w1', 'w2'], 3) }) },
      },
      vantages: fullMesh(['e1', 'e2', 'e3', 'w1', 'w2', 'w3']),
    });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    expect(finding.subject).toBe('cluster:east');
    expect(Object.keys(finding.details.counts as object)).toEqual(['e1', 'e2', 'e3']);
  });

  it('reads uint64 lags without trouble', () => {
    // Prepare
    const huge = led('n1', 9).map((s) => ({ ...s, replicas: [{ name: 'n2', lagText: UINT64_MAX_TEXT }, 'n3'] }));
    const observed = clusterLeading({ n1: huge });

    // Act
    const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

    // Assess
    expect(finding.details.counts).toMatchObject({ n1: { streams: 9 } });
  });

  it('a single server, a silent cluster and a balanced cluster give no finding', () => {
    // Prepare
    const single = sample({ replies: healthyReplies({ names: ['n1'], streams: { n1: replicatedStreams(9, 'n1', ['x', 'y']) } }) });
    const silent = sample({ replies: {}, vantages: [] });
    const balanced = clusterLeading({ n1: led('n1', 3), n2: led('n2', 3), n3: led('n3', 3) });

    // Act / Assess
    expect(runCheck(unevenLeaderDistribution, single)).toEqual([]);
    expect(runCheck(unevenLeaderDistribution, silent)).toEqual([]);
    expect(runCheck(unevenLeaderDistribution, balanced)).toEqual([]);
  });

  it('is not judged while an expected server is silent: its leaders necessarily sit elsewhere', () => {
    // Prepare: n3 stopped in a rolling restart; n1 leads 6 of the 9 groups it left behind.
    const { n1, n2 } = servers(['n1', 'n2', 'n3']);
    const observed = sample({
      replies: {
        n1: { jsz: jsz(n1, { meta: { leader: 'n1' }, streams: led('n1', 6) }) },
        n2: { jsz: jsz(n2, { meta: { leader: 'n1' }, streams: led('n2', 1) }) },
      },
      vantages: fullMesh(['n1', 'n2']),
      expectServers: 3,
    });

    // Act / Assess: an open finding stays as it was until every server answers.
    expect(runCheckVerdict(unevenLeaderDistribution, observed)).toEqual({
      findings: [],
      unjudged: [{ subject: '*', reason: '1 expected server silent: its leaders necessarily sit elsewhere' }],
    });
  });

  it('is not judged while a replicated group has no known leader (an election): the counts miss it', () => {
    // Prepare: as seen on 2.10.27 right after a heal, n1 leads 6 of 9 streams and no view names a
    // leader of the consumer ORDERS > worker, whose views list every peer as a replica.
    const electing = { name: 'worker', replicas: ['n1', 'n2', 'n3'] };
    const placement = (consumer: { name: string; replicas: readonly string[]; leader?: string }) =>
      clusterLeading({ n1: led('n1', 6), n2: [...led('n2', 2), { name: 'ORDERS', leader: 'n2', replicas: ['n1', 'n3'], consumers: [consumer] }], n3: led('n3', 1) });

    // Act / Assess: the counts miss the consumer, so they describe no placement (an open finding stays
    // as it was); once it has a leader, they do.
    expect(runCheckVerdict(unevenLeaderDistribution, placement(electing))).toEqual({
      findings: [],
      unjudged: [{ subject: 'cluster:c1', reason: 'an election in progress: no server names a leader of consumer ORDERS > worker (account APP)' }],
    });
    const settled = onlyFinding(runCheck(unevenLeaderDistribution, placement({ name: 'worker', leader: 'n3', replicas: ['n1', 'n2'] })));
    expect(settled.details).toMatchObject({ source: 'groups', counts: { n1: { streams: 6 }, n3: { consumers: 1 } } });
  });

  describe('server-side counts (2.11.11+ / 2.12.1+, raft: true)', () => {
    const v211 = servers(['n1', 'n2', 'n3'], { version: '2.11.12' });
    const CORRECTED_NOTE =
      "Counts are the servers' own, corrected to replicated groups (R1 assets have no election to move) from the stream detail of each server that sent it.";
    const r1 = (host: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${host}_R1_${i}`, leader: host }));

    it('judge when no stream detail arrived; a zero count the server omitted counts as zero', () => {
      // Prepare: n2 leads no consumers and n3 nothing at all, so the server leaves those fields out (omitempty).
      const observed = sample({
        replies: {
          n1: { jsz: jsz(v211.n1, { meta: { leader: 'n1' }, streamsLeader: 12, consumersLeader: 4 }) },
          n2: { jsz: jsz(v211.n2, { meta: { leader: 'n1' }, streamsLeader: 1 }) },
          n3: { jsz: jsz(v211.n3, { meta: { leader: 'n1' } }) },
        },
      });

      // Act
      const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

      // Assess: consumers 4 vs 1.33 is 3.0x.
      expect(finding.severity).toBe('critical');
      expect(finding.details).toMatchObject({
        source: 'server_counts',
        counts: { n1: { streams: 12, consumers: 4, total: 16 }, n2: { streams: 1, consumers: 0, total: 1 }, n3: { streams: 0, consumers: 0, total: 0 } },
        stepDownsTotal: 0,
      });
      expect(finding.details).toMatchObject({ countsUncorrected: ['n1', 'n2', 'n3'], r1Leaders: {} });
      expect(finding.remediation.slice(0, 2)).toEqual([
        "Counts are the servers' own, corrected to replicated groups (R1 assets have no election to move) from the stream detail of each server that sent it; n1 sent none this epoch, so its count may still include R1 assets.",
        'No replicated group led by n1 is in the stream detail gathered (they lead only R1 assets, or their detail did not arrive), so no step-down is listed.',
      ]);
      expect(finding.remediation.some((r) => r.includes('cluster step-down'))).toBe(false);
    });

    it("correct a hot server's count to its replicated groups from its detail, then take step-downs from them, ready first, capped by its excess", () => {
      // Prepare: only n1 (hot by its counts) sent detail, as gather's `flagged` mode asks:
      // 8 R3 streams (S01, S02 with a busy follower: not `current`, but healthy by the rebalancer's
      // rule) and 4 R1 streams, 12 by its own count.
      const lagging = [{ name: 'n2', current: false }, 'n3'] as const;
      const n1Streams = [...led('n1', 8).map((s, i) => (i < 2 ? { ...s, replicas: lagging } : s)), ...r1('n1', 4)];
      const observed = sample({
        replies: {
          n1: { jsz: jsz(v211.n1, { meta: { leader: 'n1' }, streams: n1Streams, streamsLeader: 12 }) },
          n2: { jsz: jsz(v211.n2, { meta: { leader: 'n1' }, streamsLeader: 2 }) },
          n3: { jsz: jsz(v211.n3, { meta: { leader: 'n1' }, streamsLeader: 1 }) },
        },
      });

      // Act
      const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

      // Assess: 8 movable vs an average of 3.67 is 2.2x; 4 above ceil(3.67); the R1 streams are neither counted nor listed.
      expect(finding.summary).toBe('Leaders concentrated in cluster c1: n1 leads 8 streams (2.2x the average of 3.7)');
      expect(finding.details).toMatchObject({
        source: 'server_counts',
        counts: { n1: { streams: 8, consumers: 0, total: 8 }, n2: { streams: 2, consumers: 0, total: 2 }, n3: { streams: 1, consumers: 0, total: 1 } },
        r1Leaders: { n1: { streams: 4, consumers: 0, total: 4 } },
        countsUncorrected: ['n2', 'n3'],
        stepDownsTotal: 4,
      });
      expect(finding.remediation).toEqual([
        CORRECTED_NOTE,
        'Step down these groups on n1 (one at a time, using credentials of the owning account: APP), re-checking between moves:',
        ...['S01', 'S02', 'S03', 'S04'].map((s) => `nats stream cluster step-down N1_${s}`),
        'Or plan and pace the moves with `nats-audit rebalance` (dry run by default).',
        'Verify: `nats server report jetstream` and another `nats-audit check` show leaders spread evenly.',
      ]);
    });

    it('a server hot only by R1 assets is not flagged, as the groups would judge it on 2.9', () => {
      // Prepare: the same placement twice: n1 leads 9 R1 streams; each server leads one R3 stream and one R3 consumer.
      const placement = (version: string) => {
        const v = servers(['n1', 'n2', 'n3'], { version });
        const counting = version !== '2.9.10';
        const others = (host: string) => ['n1', 'n2', 'n3'].filter((n) => n !== host);
        const stream = (host: string) => ({ name: `${host}_S`, leader: host, replicas: others(host), consumers: [{ name: `${host}_C`, leader: host, replicas: others(host) }] });
        const counts = (streamsLeader: number) => (counting ? { streamsLeader, consumersLeader: 1 } : {});
        return sample({
          replies: {
            n1: { jsz: jsz(v.n1, { meta: { leader: 'n1' }, streams: [...r1('n1', 9), stream('n1')], ...counts(10) }) },
            n2: { jsz: jsz(v.n2, { meta: { leader: 'n1' }, streams: [stream('n2')], ...counts(1) }) },
            n3: { jsz: jsz(v.n3, { meta: { leader: 'n1' }, streams: [stream('n3')], ...counts(1) }) },
          },
        });
      };

      // Act
      const onCounts = runCheck(unevenLeaderDistribution, placement('2.15.1'));
      const onGroups = runCheck(unevenLeaderDistribution, placement('2.9.10'));

      // Assess
      expect(onCounts).toEqual([]);
      expect(onGroups).toEqual([]);
    });

    it('leader counts that do not add up (an election) are never judged as a distribution', () => {
      // Prepare: right after a heal on 2.15.1, the counts sum to 3 while every server hosts 9 streams.
      const replies = (n1Leads: number) =>
        sample({
          replies: {
            n1: { jsz: jsz(v211.n1, { meta: { leader: 'n1' }, streamsLeader: n1Leads, hosted: { streams: 9, consumers: 0 } }) },
            n2: { jsz: jsz(v211.n2, { meta: { leader: 'n1' }, hosted: { streams: 9, consumers: 0 } }) },
            n3: { jsz: jsz(v211.n3, { meta: { leader: 'n1' }, hosted: { streams: 9, consumers: 0 } }) },
          },
        });

      // Act / Assess: 3 on n1 of a sum of 3 would read as 3.0x; once they add up, 9 on n1 really is uneven.
      expect(runCheckVerdict(unevenLeaderDistribution, replies(3))).toEqual({
        findings: [],
        unjudged: [{ subject: 'cluster:c1', reason: "an election in progress: the servers' own counts sum to 3 streams leaders while n1 alone hosts 9" }],
      });
      expect(onlyFinding(runCheck(unevenLeaderDistribution, replies(9))).details).toMatchObject({ counts: { n1: { streams: 9 } } });
    });

    it('2.11.12 fixture: nats-c counts its R1 stream; its detail corrects the count and reports the R1 load apart', () => {
      // Prepare: the recorded nats-c (EVENTS R3 + SCRATCH R1 + consumer indexer, counts 2 and 1) beside two summaries.
      const east = servers(['nats-a', 'nats-b'], { version: '2.11.12', cluster: 'east' });
      const observed = sample({
        replies: {
          'nats-a': { jsz: jsz(east['nats-a'], { meta: { leader: 'nats-a' } }) },
          'nats-b': { jsz: jsz(east['nats-b'], { meta: { leader: 'nats-a' } }) },
          'nats-c': { jsz: fixture('jsz-2.11.12-raft.json') },
        },
      });

      // Act
      const byDefault = runCheck(unevenLeaderDistribution, observed);
      const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed, { thresholds: { min_excess: 1 } }));

      // Assess: by its own counts nats-c (3 of 3) would be hot at the default min_excess; 2 movable are not.
      expect(byDefault).toEqual([]);
      expect(finding.details).toMatchObject({
        source: 'server_counts',
        counts: { 'nats-c': { streams: 1, consumers: 1, total: 2 }, 'nats-a': { total: 0 }, 'nats-b': { total: 0 } },
        r1Leaders: { 'nats-c': { streams: 1, consumers: 0, total: 1 } },
        countsUncorrected: ['nats-a', 'nats-b'],
      });
      // The recorded EVENTS stream has a replica the rebalancer counts unhealthy, so only its consumer moves.
      expect(finding.remediation).toContain('nats consumer cluster step-down EVENTS indexer');
      expect(finding.details).toMatchObject({ cannotMove: [{ kind: 'stream', stream: 'EVENTS', reason: 'unhealthy_replica' }], cannotMoveTotal: 1 });
    });

    it('2.12.15 fixture: a count without R1 assets is left as the server gave it', () => {
      // Prepare: the recorded nats-a leads ORDERS (R3) and no consumer (consumers_leader omitted).
      const east = servers(['nats-b', 'nats-c'], { version: '2.12.15', cluster: 'east' });
      const observed = sample({
        replies: {
          'nats-a': { jsz: fixture('jsz-2.12.15-raft.json') },
          'nats-b': { jsz: jsz(east['nats-b'], { meta: { leader: 'nats-a' }, consumersLeader: 1 }) },
          'nats-c': { jsz: jsz(east['nats-c'], { meta: { leader: 'nats-a' }, streamsLeader: 1 }) },
        },
      });

      // Act
      const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed, { thresholds: { ratio: 1, min_excess: 0 } }));

      // Assess
      expect(finding.details).toMatchObject({ counts: { 'nats-a': { streams: 1, consumers: 0, total: 1 } }, r1Leaders: {} });
    });

    it('balanced counts give no finding even when the detail alone would', () => {
      // Prepare: the counts say 3/3/3; n1's detail lists 9 R3 streams it leads (a stale view).
      const observed = sample({
        replies: {
          n1: { jsz: jsz(v211.n1, { meta: { leader: 'n1' }, streams: led('n1', 9), streamsLeader: 3 }) },
          n2: { jsz: jsz(v211.n2, { meta: { leader: 'n1' }, streamsLeader: 3 }) },
          n3: { jsz: jsz(v211.n3, { meta: { leader: 'n1' }, streamsLeader: 3 }) },
        },
      });

      // Act / Assess
      expect(runCheck(unevenLeaderDistribution, observed)).toEqual([]);
    });

    it('are not trusted in a mixed-version cluster where a server cannot count', () => {
      // Prepare: n3 runs 2.10 and sends no counts; that is not "leads none" as n2's omitted zero is.
      const observed = sample({
        replies: {
          n1: { jsz: jsz(v211.n1, { meta: { leader: 'n1' }, streamsLeader: 9 }) },
          n2: { jsz: jsz(v211.n2, { meta: { leader: 'n1' } }) },
          n3: { jsz: jsz({ name: 'n3', version: '2.10.29' }, { meta: { leader: 'n1' } }) },
        },
      });

      // Act / Assess
      expect(runCheck(unevenLeaderDistribution, observed)).toEqual([]);
    });

    it('a mixed-version cluster is judged from the groups, as before', () => {
      // Prepare: the counts would call n1 balanced; the groups show it leading 6 of 9 R3 streams.
      const observed = sample({
        replies: {
          n1: { jsz: jsz(v211.n1, { meta: { leader: 'n1' }, streams: led('n1', 6), streamsLeader: 3 }) },
          n2: { jsz: jsz(v211.n2, { meta: { leader: 'n1' }, streams: led('n2', 2), streamsLeader: 3 }) },
          n3: { jsz: jsz({ name: 'n3', version: '2.10.29' }, { meta: { leader: 'n1' }, streams: led('n3', 1) }) },
        },
      });

      // Act
      const finding = onlyFinding(runCheck(unevenLeaderDistribution, observed));

      // Assess
      expect(finding.details).toMatchObject({ source: 'groups', counts: { n1: { streams: 6 } }, stepDownsTotal: 3 });
      expect(finding.remediation[0]).toMatch(/^Step down these groups on n1 /);
    });
  });
});
