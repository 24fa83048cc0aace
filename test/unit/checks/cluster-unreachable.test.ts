import { describe, expect, it } from 'vitest';
import { clusterUnreachable } from '../../../lib/checks/cluster-unreachable.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { healthyReplies, sample } from '../../support/sample-builder.js';

describe('cluster_unreachable', () => {
  it('no server answering from any URL is critical, listing each vantage and why', () => {
    // Prepare
    const observed = sample({
      replies: {},
      vantages: [
        { via: 'n1', hears: [], error: { kind: 'unreachable', message: 'nats://n1:4222: connection refused' } },
        { via: 'n2', hears: [], error: { kind: 'tls', message: 'nats://n2:4222: certificate has expired' } },
      ],
    });

    // Act
    const finding = onlyFinding(runCheck(clusterUnreachable, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'cluster',
      severity: 'critical',
      summary: 'No server answered from any of 2 configured URLs',
      details: {
        failedVantages: [
          { url: 'nats://n1:4222', error: 'unreachable: nats://n1:4222: connection refused' },
          { url: 'nats://n2:4222', error: 'tls: nats://n2:4222: certificate has expired' },
        ],
      },
    });
    expect(finding.remediation[0]).toContain('client port is reachable');
  });

  it('a connected vantage whose JSZ went unanswered says how the request ended', () => {
    // Prepare
    const observed = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], jszEnded: 'deadline' }] });

    // Act
    const finding = onlyFinding(runCheck(clusterUnreachable, observed));

    // Assess
    expect(finding.summary).toBe('No server answered from any of 1 configured URL');
    expect(finding.details.failedVantages).toEqual([{ url: 'nats://n1:4222', error: 'connected, no JSZ reply (deadline)' }]);
  });

  it('one server answering through any vantage is enough', () => {
    // Prepare
    const observed = sample({
      replies: { n1: healthyReplies().n1! },
      vantages: [
        { via: 'n1', hears: ['n1'] },
        { via: 'n2', hears: [], error: { kind: 'unreachable', message: 'refused' } },
      ],
    });

    // Act / Assess
    expect(runCheck(clusterUnreachable, observed)).toEqual([]);
  });
});
