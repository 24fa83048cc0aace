import { describe, expect, it } from 'vitest';
import { MAX_NAMED_MISSING, serverMissing } from '../../../lib/checks/server-missing.js';
import { runCheck } from '../../support/run-check.js';
import { healthyReplies, jsz, sample, servers } from '../../support/sample-builder.js';

const { n1 } = servers(['n1']);

/** Replies of a healthy n1..n5 cluster, of which only `answering` reply. */
function only(answering: readonly string[], names = ['n1', 'n2', 'n3']) {
  const all = healthyReplies({ names });
  return Object.fromEntries(answering.map((n) => [n, all[n]!]));
}

describe('server_missing', () => {
  it('a silent server named in the leader’s replicas is a warning while a quorum answers', () => {
    // Prepare: n3 is down; its vantage cannot connect.
    const observed = sample({
      replies: only(['n1', 'n2']),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2'] },
        { via: 'n2', hears: ['n1', 'n2'] },
        { via: 'n3', hears: [], error: { kind: 'unreachable', message: 'nats://n3:4222: connection refused' } },
      ],
    });

    // Act
    const findings = runCheck(serverMissing, observed);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      subject: 'server:n3',
      severity: 'warning',
      summary: 'n3 did not answer from any vantage (2 of 3 servers answered)',
      details: {
        server: 'n3',
        expected: 3,
        answered: ['n1', 'n2'],
        failedVantages: [{ url: 'nats://n3:4222', error: 'unreachable: nats://n3:4222: connection refused' }],
      },
    });
    expect(findings[0]!.remediation[0]).toContain('nats-server is running on n3');
    expect(findings[0]!.remediation.at(-1)).toBe('Verify: `nats server report jetstream` lists 3 servers.');
  });

  it('a silent server the leader lists is missing even when every cluster_size undercounts it (2.9.10 after an early election)', () => {
    // Prepare: all three servers report cluster_size 2; n1 leads and lists n2 and n3; n3 is down.
    const { n1: s1, n2: s2 } = servers(['n1', 'n2']);
    const observed = sample({
      replies: {
        n1: { jsz: jsz(s1, { meta: { leader: 'n1', clusterSize: 2, replicas: ['n2', { name: 'n3', current: false, offline: true }] } }) },
        n2: { jsz: jsz(s2, { meta: { leader: 'n1', clusterSize: 2 } }) },
      },
      vantages: [
        { via: 'n1', hears: ['n1', 'n2'] },
        { via: 'n2', hears: ['n1', 'n2'] },
      ],
    });

    // Act
    const findings = runCheck(serverMissing, observed);

    // Assess
    expect(findings.map((f) => [f.subject, f.severity, f.details['expected']])).toEqual([['server:n3', 'warning', 3]]);
  });

  it('too few left for a quorum makes every missing server critical', () => {
    // Prepare
    const observed = sample({ replies: only(['n1']), vantages: [{ via: 'n1', hears: ['n1'] }] });

    // Act
    const findings = runCheck(serverMissing, observed);

    // Assess
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([
      ['server:n2', 'critical'],
      ['server:n3', 'critical'],
    ]);
  });

  it('names a silent server from earlier epochs when no reply of this epoch mentions it', () => {
    // Prepare: only n1 answers, as a follower of n2: nothing this epoch names n3.
    const all = healthyReplies({ leader: 'n2', routes: false });
    const observed = sample({ replies: { n1: all.n1! }, vantages: [{ via: 'n1', hears: ['n1'] }] });
    const history = [
      { id: 1, startedAt: 0, metaLeaders: { default: 'n2' }, knownServers: ['n1', 'n2', 'n3', 'n9'] },
      { id: 2, startedAt: 1, metaLeaders: { default: 'n2' }, knownServers: ['n1', 'n2', 'n3'] },
    ];

    // Act
    const findings = runCheck(serverMissing, observed, { history });
    const without = runCheck(serverMissing, observed);

    // Assess: the most recent epoch's names fill exactly the missing slots.
    expect(findings.map((f) => f.subject)).toEqual(['server:n2', 'server:n3']);
    expect(without.map((f) => f.subject)).toEqual(['server:n2', 'servers:unnamed']);
  });

  it('--expect-servers beyond every name seen adds one finding for the unnamed rest', () => {
    // Prepare: five expected, three answer, none of them mentions n4 or n5.
    const observed = sample({ replies: healthyReplies(), expectServers: 5 });

    // Act
    const findings = runCheck(serverMissing, observed);

    // Assess: 3 of 5 is still a quorum of 5.
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      subject: 'servers:unnamed',
      severity: 'warning',
      summary: '2 more of 5 expected servers did not answer and no reply named them',
      details: { missing: 2, expected: 5 },
    });
    expect(findings[0]!.remediation[0]).toContain('every server of the cluster');
  });

  it('a reply claiming a huge meta group of strangers names ten of them and counts the rest', () => {
    // Prepare: n1 says the meta group has 1000 servers and lists 999 nobody heard of.
    const ghosts = Array.from({ length: 999 }, (_, i) => `ghost-${String(i).padStart(3, '0')}`);
    const observed = sample({ replies: { ...healthyReplies(), n1: { jsz: jsz(n1, { meta: { leader: 'n1', clusterSize: 1_000, replicas: ghosts } }) } } });

    // Act
    const findings = runCheck(serverMissing, observed);

    // Assess
    expect(findings).toHaveLength(MAX_NAMED_MISSING + 1);
    expect(findings.at(-1)).toMatchObject({
      subject: 'servers:unnamed',
      severity: 'critical',
      summary: `987 more of 1000 expected servers did not answer and only ${MAX_NAMED_MISSING} are named one by one`,
    });
  });

  it('a vantage that connected but heard nothing is listed with how its request ended', () => {
    // Prepare
    const observed = sample({
      replies: only(['n1', 'n2']),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2'] },
        { via: 'n3', hears: [], jszEnded: 'deadline' },
      ],
    });

    // Act
    const [finding] = runCheck(serverMissing, observed);

    // Assess
    expect(finding?.details.failedVantages).toEqual([{ url: 'nats://n3:4222', error: 'connected, no JSZ reply (deadline)' }]);
  });

  it('everyone answering gives no finding; nobody answering is left to cluster_unreachable', () => {
    // Prepare
    const healthy = sample({ replies: healthyReplies() });
    const silent = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'unreachable', message: 'refused' } }] });

    // Act / Assess
    expect(runCheck(serverMissing, healthy)).toEqual([]);
    expect(runCheck(serverMissing, silent)).toEqual([]);
  });
});
