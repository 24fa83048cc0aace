import { describe, expect, it } from 'vitest';
import { metaNoLeader } from '../../../lib/checks/meta-no-leader.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { healthyReplies, jsz, sample, servers } from '../../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

describe('meta_no_leader', () => {
  it('every answering server knowing no leader is critical: the JetStream API is down', () => {
    // Prepare
    const observed = sample({
      replies: Object.fromEntries([n1, n2, n3].map((s) => [s.name, { jsz: jsz(s, { meta: { leader: null } }) }])),
    });

    // Act
    const finding = onlyFinding(runCheck(metaNoLeader, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'meta:default',
      severity: 'critical',
      summary: 'No server of the meta group knows a leader (n1, n2, n3 answered): the JetStream API is unavailable',
      details: { metaGroup: 'default', size: 3, quorum: 2, answering: ['n1', 'n2', 'n3'], reason: 'no_leader' },
    });
    expect(finding.remediation[0]).toBe(
      'Bring back enough servers for a quorum (2 of 3): restart stopped servers and restore routes between them.',
    );
    expect(finding.remediation.at(-1)).toContain('nats server report jetstream');
  });

  it('fewer servers answering than a quorum is critical even when the one left still names a leader', () => {
    // Prepare: only n1 answers, with a stale belief in n2.
    const observed = sample({ replies: { n1: { jsz: jsz(n1, { meta: { leader: 'n2', clusterSize: 3 } }) } } });

    // Act
    const finding = onlyFinding(runCheck(metaNoLeader, observed));

    // Assess
    expect(finding.severity).toBe('critical');
    expect(finding.summary).toBe('Only 1 of 3 meta group servers answered; a quorum needs 2');
    expect(finding.details).toMatchObject({ answering: ['n1'], reason: 'quorum_lost', size: 3, quorum: 2 });
  });

  it('a quorum answering with a known leader gives no finding, even with one server silent', () => {
    // Prepare
    const replies = healthyReplies();
    const observed = sample({ replies: { n1: replies.n1!, n2: replies.n2! } });

    // Act / Assess
    expect(runCheck(metaNoLeader, observed)).toEqual([]);
  });

  it('one server still knowing a leader is enough to pass', () => {
    // Prepare
    const observed = sample({
      replies: {
        n1: { jsz: jsz(n1, { meta: { leader: null } }) },
        n2: { jsz: jsz(n2, { meta: { leader: null } }) },
        n3: { jsz: jsz(n3, { meta: { leader: 'n3' } }) },
      },
    });

    // Act / Assess
    expect(runCheck(metaNoLeader, observed)).toEqual([]);
  });

  it('all servers silent, or none with a meta group, gives no finding', () => {
    // Prepare
    const silent = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'timeout', message: 'timed out' } }] });
    const standalone = sample({ replies: { solo: { jsz: jsz({ name: 'solo', cluster: null }) } } });

    // Act / Assess
    expect(runCheck(metaNoLeader, silent)).toEqual([]);
    expect(runCheck(metaNoLeader, standalone)).toEqual([]);
  });
});
