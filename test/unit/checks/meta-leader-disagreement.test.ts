import { describe, expect, it } from 'vitest';
import { metaLeaderDisagreement } from '../../../lib/checks/meta-leader-disagreement.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { fullMesh, healthyReplies, jsz, partitioned, raftz, sample, servers } from '../../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

describe('meta_leader_disagreement', () => {
  it('n1 isolated on 2.9 (no terms): two self-claimants are critical at once; n1 is stale by quorum; the sides are named', () => {
    // Prepare: vantage n1 hears only n1, which still claims to lead; n2 and n3 hear each other and say n2.
    const observed = sample({
      replies: {
        n1: { jsz: jsz(n1, { meta: { leader: 'n1', replicas: [{ name: 'n2', current: false }, { name: 'n3', current: false }] } }) },
        n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: [{ name: 'n1', current: false }, 'n3'] } }) },
        n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
      },
      vantages: partitioned(['n1'], ['n2', 'n3']),
    });

    // Act
    const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

    // Assess
    expect(finding.subject).toBe('meta:default');
    expect(finding.severity).toBe('critical');
    expect(finding.escalateWhenPersistent).toBe(false);
    expect(finding.summary).toBe('2 servers each claim to be the JetStream meta leader (n1, n2): n1 says n1; n2, n3 say n2');
    expect(finding.details).toMatchObject({
      metaGroup: 'default',
      size: 3,
      quorum: 2,
      views: { n1: 'n1', n2: 'n2', n3: 'n2' },
      claimants: ['n1', 'n2'],
      withoutLeader: [],
      leader: 'n2',
      staleLeaders: ['n1'],
      staleBy: 'quorum',
      partition: {
        partitioned: true,
        reach: { n1: ['n1'], n2: ['n2', 'n3'], n3: ['n2', 'n3'] },
        sides: [['n2', 'n3'], ['n1']],
      },
    });
    expect(finding.details.leaders).toEqual([
      { name: 'n1', backers: ['n1'], selfClaimed: true, reachablePeers: 1, stale: true, staleBy: 'quorum' },
      { name: 'n2', backers: ['n2', 'n3'], selfClaimed: true, reachablePeers: 2, stale: false, staleBy: 'quorum' },
    ]);
    expect(finding.remediation[0]).toContain('split into {n2, n3} | {n1}');
    expect(finding.remediation[0]).toContain('Do not step down leaders while the split lasts');
    expect(finding.remediation[1]).toBe(
      'n1 holds a stale view of leadership (the majority follows n2): once connectivity is restored, restart nats-server on n1 if it still disagrees.',
    );
    expect(finding.remediation.join('\n')).toContain('`nats server cluster step-down`');
    expect(finding.remediation.at(-1)).toBe('Verify: `nats server report jetstream` shows the same meta leader on every server.');
  });

  it('one server knowing no leader is a warning that escalates once persistent', () => {
    // Prepare: n1 lost the leader (mid-election); n2 and n3 agree on n2; nobody is cut off.
    const observed = sample({
      replies: {
        n1: { jsz: jsz(n1, { meta: { leader: null } }) },
        n2: { jsz: jsz(n2, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }) },
        n3: { jsz: jsz(n3, { meta: { leader: 'n2' } }) },
      },
    });

    // Act
    const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

    // Assess
    expect(finding.severity).toBe('warning');
    expect(finding.escalateWhenPersistent).toBe(true);
    expect(finding.summary).toBe('Servers disagree on the JetStream meta leader: n1 says none; n2, n3 say n2');
    expect(finding.details).toMatchObject({
      views: { n1: null, n2: 'n2', n3: 'n2' },
      claimants: ['n2'],
      withoutLeader: ['n1'],
      leader: 'n2',
      staleLeaders: [],
      partition: { partitioned: false, sides: [['n1', 'n2', 'n3']] },
    });
    expect(finding.remediation[0]).toBe('If this is a passing election it clears by the next epoch; if it persists, act as below.');
  });

  it('with RAFTZ terms the lower term is stale, even when it has more backers', () => {
    // Prepare: 2.10.29; n1 (term 7) still backed by n3, n2 won term 8 but only it says so yet.
    const [a, b, c] = [n1, n2, n3].map((s) => ({ ...s, version: '2.10.29' }));
    const observed = sample({
      replies: {
        n1: { jsz: jsz(a!, { meta: { leader: 'n1', replicas: ['n2', 'n3'] } }), raftz: raftz(a!, { term: 7, leader: 'n1', peers: ['n2', 'n3'] }) },
        n2: { jsz: jsz(b!, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }), raftz: raftz(b!, { term: 8, leader: 'n2', peers: ['n1', 'n3'] }) },
        n3: { jsz: jsz(c!, { meta: { leader: 'n1' } }), raftz: raftz(c!, { term: 7, leader: 'n1', peers: ['n1', 'n2'] }) },
      },
    });

    // Act
    const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

    // Assess
    expect(finding.severity).toBe('critical');
    expect(finding.details).toMatchObject({ staleBy: 'term', staleLeaders: ['n1'], leader: 'n2', claimants: ['n1', 'n2'] });
    expect(finding.details.leaders).toEqual([
      { name: 'n1', backers: ['n1', 'n3'], selfClaimed: true, term: 7, reachablePeers: 3, stale: true, staleBy: 'term' },
      { name: 'n2', backers: ['n2'], selfClaimed: true, term: 8, reachablePeers: 3, stale: false, staleBy: 'term' },
    ]);
    expect(finding.remediation).toContain(
      'n1 holds a stale view of leadership (n2 leads a newer term): once connectivity is restored, restart nats-server on n1 if it still disagrees.',
    );
  });

  describe('stale leader inference with RAFTZ terms (2.10.26+)', () => {
    const [a, b, c] = [n1, n2, n3].map((s) => ({ ...s, version: '2.15.1' }));

    it('equal claimant terms fall back to quorum: the claimant the majority follows leads, the other is stale', () => {
      // Prepare: the real 2.15.1 sample; n1 is cut off and still believes all its replicas current,
      // n2 won the election but its RAFTZ answer predated the win, so both report term 3.
      const observed = sample({
        replies: {
          n1: { jsz: jsz(a!, { meta: { leader: 'n1', replicas: ['n2', 'n3'] } }), raftz: raftz(a!, { term: 3, leader: 'n1', peers: ['n2', 'n3'] }) },
          n2: { jsz: jsz(b!, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }), raftz: raftz(b!, { term: 3, leader: 'n1', peers: ['n1', 'n3'] }) },
          n3: { jsz: jsz(c!, { meta: { leader: 'n2' } }), raftz: raftz(c!, { term: 4, leader: 'n2', peers: ['n1', 'n2'] }) },
        },
        vantages: partitioned(['n1'], ['n2', 'n3']),
      });

      // Act
      const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

      // Assess
      expect(finding.severity).toBe('critical');
      expect(finding.details).toMatchObject({ claimants: ['n1', 'n2'], staleLeaders: ['n1'], leader: 'n2', staleBy: 'quorum' });
      expect(finding.details.leaders).toEqual([
        { name: 'n1', backers: ['n1'], selfClaimed: true, term: 3, reachablePeers: 3, stale: true, staleBy: 'quorum' },
        { name: 'n2', backers: ['n2', 'n3'], selfClaimed: true, term: 3, reachablePeers: 3, stale: false, staleBy: 'quorum' },
      ]);
      expect(finding.remediation).toContain(
        'n1 holds a stale view of leadership (the majority follows n2): once connectivity is restored, restart nats-server on n1 if it still disagrees.',
      );
    });

    it('a claimant without a term (its RAFTZ reply lost) makes quorum evidence decide for all claimants', () => {
      // Prepare: n1 (term 9, no follower) and n2 (no RAFTZ reply, followed by n3).
      const observed = sample({
        replies: {
          n1: { jsz: jsz(a!, { meta: { leader: 'n1', replicas: [{ name: 'n2', current: false }, { name: 'n3', current: false }] } }), raftz: raftz(a!, { term: 9, leader: 'n1', peers: ['n2', 'n3'] }) },
          n2: { jsz: jsz(b!, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }) },
          n3: { jsz: jsz(c!, { meta: { leader: 'n2' } }), raftz: raftz(c!, { term: 4, leader: 'n2', peers: ['n1', 'n2'] }) },
        },
      });

      // Act
      const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

      // Assess: n1's higher term decides nothing against a claimant without one.
      expect(finding.details).toMatchObject({ staleLeaders: ['n1'], leader: 'n2', staleBy: 'quorum' });
    });

    it("a non-claimant's higher term never makes a claimant stale", () => {
      // Prepare: n3 is cut off and campaigning (term 12, no leader); n1 leads term 5, followed by n2.
      const observed = sample({
        replies: {
          n1: { jsz: jsz(a!, { meta: { leader: 'n1', replicas: ['n2', { name: 'n3', current: false }] } }), raftz: raftz(a!, { term: 5, leader: 'n1', peers: ['n2', 'n3'] }) },
          n2: { jsz: jsz(b!, { meta: { leader: 'n1' } }), raftz: raftz(b!, { term: 5, leader: 'n1', peers: ['n1', 'n3'] }) },
          n3: { jsz: jsz(c!, { meta: { leader: null } }), raftz: raftz(c!, { term: 12, state: 'CANDIDATE', peers: ['n1', 'n2'] }) },
        },
        vantages: partitioned(['n1', 'n2'], ['n3']),
      });

      // Act
      const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

      // Assess
      expect(finding.severity).toBe('warning');
      expect(finding.details).toMatchObject({ claimants: ['n1'], staleLeaders: [], leader: 'n1', withoutLeader: ['n3'] });
    });

    it('with two claimants and a campaigning third, only the claimant terms are compared', () => {
      // Prepare: n1 (term 7) and n2 (term 8) both claim; n3 campaigns at term 11 and follows nobody.
      const observed = sample({
        replies: {
          n1: { jsz: jsz(a!, { meta: { leader: 'n1', replicas: ['n2', 'n3'] } }), raftz: raftz(a!, { term: 7, leader: 'n1', peers: ['n2', 'n3'] }) },
          n2: { jsz: jsz(b!, { meta: { leader: 'n2', replicas: ['n1', 'n3'] } }), raftz: raftz(b!, { term: 8, leader: 'n2', peers: ['n1', 'n3'] }) },
          n3: { jsz: jsz(c!, { meta: { leader: null } }), raftz: raftz(c!, { term: 11, state: 'CANDIDATE', peers: ['n1', 'n2'] }) },
        },
      });

      // Act
      const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

      // Assess: n2 is backed only by itself, yet its higher claimant term names n1 as the stale one.
      expect(finding.details).toMatchObject({ staleLeaders: ['n1'], leader: 'n2', staleBy: 'term' });
    });

    it('among three claimants, the lower term is stale and the tied top terms are told apart by quorum', () => {
      // Prepare: five servers; n1 term 4 alone; n2 and n3 both report term 6, n4 and n5 follow n3.
      const five = servers(['n1', 'n2', 'n3', 'n4', 'n5'], { version: '2.15.1' });
      const peersOf = (name: string) => ['n1', 'n2', 'n3', 'n4', 'n5'].filter((n) => n !== name);
      const observed = sample({
        replies: {
          n1: { jsz: jsz(five.n1, { meta: { leader: 'n1', replicas: peersOf('n1') } }), raftz: raftz(five.n1, { term: 4, leader: 'n1', peers: peersOf('n1') }) },
          n2: { jsz: jsz(five.n2, { meta: { leader: 'n2', replicas: peersOf('n2') } }), raftz: raftz(five.n2, { term: 6, leader: 'n2', peers: peersOf('n2') }) },
          n3: { jsz: jsz(five.n3, { meta: { leader: 'n3', replicas: peersOf('n3') } }), raftz: raftz(five.n3, { term: 6, leader: 'n3', peers: peersOf('n3') }) },
          n4: { jsz: jsz(five.n4, { meta: { leader: 'n3' } }) },
          n5: { jsz: jsz(five.n5, { meta: { leader: 'n3' } }) },
        },
        vantages: fullMesh(['n1', 'n2', 'n3', 'n4', 'n5']),
      });

      // Act
      const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

      // Assess
      expect(finding.details).toMatchObject({ claimants: ['n1', 'n2', 'n3'], staleLeaders: ['n1', 'n2'], leader: 'n3', staleBy: 'term' });
      const leaders = finding.details.leaders as { name: string; staleBy: string }[];
      expect(leaders.map((l) => [l.name, l.staleBy])).toEqual([['n1', 'term'], ['n2', 'quorum'], ['n3', 'quorum']]);
    });
  });

  it('without terms, a claimant backed by a majority but reaching no current replica is stale too', () => {
    // Prepare: n1 is backed by n1 and n2 yet sees no current peer; n3 claims itself alone.
    const observed = sample({
      replies: {
        n1: { jsz: jsz(n1, { meta: { leader: 'n1', replicas: [{ name: 'n2', current: false }, { name: 'n3', offline: true }] } }) },
        n2: { jsz: jsz(n2, { meta: { leader: 'n1' } }) },
        n3: { jsz: jsz(n3, { meta: { leader: 'n3', replicas: ['n1', 'n2'] } }) },
      },
    });

    // Act
    const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

    // Assess: neither can be trusted, so no leader is named.
    expect(finding.details).toMatchObject({ staleBy: 'quorum', staleLeaders: ['n1', 'n3'], leader: null });
    expect(finding.remediation[1]).toBe(
      'n1 holds a stale view of leadership: once connectivity is restored, restart nats-server on n1 if it still disagrees.',
    );
  });

  it('a healthy cluster gives no finding', () => {
    expect(runCheck(metaLeaderDisagreement, sample({ replies: healthyReplies() }))).toEqual([]);
  });

  it('all servers knowing no leader is not a disagreement (meta_no_leader reports it)', () => {
    // Prepare
    const observed = sample({
      replies: Object.fromEntries([n1, n2, n3].map((s) => [s.name, { jsz: jsz(s, { meta: { leader: null } }) }])),
    });

    // Act / Assess
    expect(runCheck(metaLeaderDisagreement, observed)).toEqual([]);
  });

  it('a single answering server cannot disagree with itself; all silent gives nothing', () => {
    // Prepare
    const single = sample({ replies: { n1: { jsz: jsz(n1, { meta: { leader: 'n2' } }) } } });
    const silent = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'unreachable', message: 'ECONNREFUSED' } }] });

    // Act / Assess
    expect(runCheck(metaLeaderDisagreement, single)).toEqual([]);
    expect(runCheck(metaLeaderDisagreement, silent)).toEqual([]);
  });

  it('judges each JetStream domain as its own meta group', () => {
    // Prepare: domain hub agrees on h1; domain leaf disagrees.
    const hub = servers(['h1', 'h2', 'h3'], { domain: 'hub', cluster: 'hub' });
    const leaf = servers(['l1', 'l2', 'l3'], { domain: 'leaf', cluster: 'leaf' });
    const observed = sample({
      replies: {
        h1: { jsz: jsz(hub.h1, { meta: { leader: 'h1', replicas: ['h2', 'h3'] } }) },
        h2: { jsz: jsz(hub.h2, { meta: { leader: 'h1' } }) },
        h3: { jsz: jsz(hub.h3, { meta: { leader: 'h1' } }) },
        l1: { jsz: jsz(leaf.l1, { meta: { leader: 'l1', replicas: ['l2', 'l3'] } }) },
        l2: { jsz: jsz(leaf.l2, { meta: { leader: 'l1' } }) },
        l3: { jsz: jsz(leaf.l3, { meta: { leader: null } }) },
      },
      vantages: fullMesh(['h1', 'h2', 'h3', 'l1', 'l2', 'l3']),
    });

    // Act
    const finding = onlyFinding(runCheck(metaLeaderDisagreement, observed));

    // Assess
    expect(finding.subject).toBe('meta:leaf');
    expect(finding.details.views).toEqual({ l1: 'l1', l2: 'l1', l3: null });
  });
});
