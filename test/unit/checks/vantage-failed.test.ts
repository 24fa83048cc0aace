import { describe, expect, it } from 'vitest';
import { vantageFailed } from '../../../lib/checks/vantage-failed.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { healthyReplies, sample } from '../../support/sample-builder.js';

describe('vantage_failed', () => {
  it('warns about a URL that failed while every server answered through the others', () => {
    // Prepare: n3 answered through n1 and n2, but its own URL refused our credentials.
    const observed = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2', 'n3'] },
        { via: 'n2', hears: ['n1', 'n2', 'n3'] },
        { via: 'n3', hears: [], error: { kind: 'auth', message: 'nats://n3:4222: Authorization Violation' } },
      ],
    });

    // Act
    const finding = onlyFinding(runCheck(vantageFailed, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'vantage:nats://n3:4222',
      severity: 'warning',
      details: { url: 'nats://n3:4222', error: 'auth: nats://n3:4222: Authorization Violation' },
    });
  });

  it('stays silent when every vantage works, when a server is missing, and when nobody answers', () => {
    const healthy = sample({ replies: healthyReplies() });
    const { n1, n2 } = healthyReplies();
    const missing = sample({
      replies: { n1: n1!, n2: n2! },
      vantages: [
        { via: 'n1', hears: ['n1', 'n2'] },
        { via: 'n2', hears: ['n1', 'n2'] },
        { via: 'n3', hears: [], error: { kind: 'unreachable', message: 'refused' } },
      ],
    });
    const nobody = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'unreachable', message: 'refused' } }] });
    expect(runCheck(vantageFailed, healthy)).toEqual([]);
    expect(runCheck(vantageFailed, missing)).toEqual([]);
    expect(runCheck(vantageFailed, nobody)).toEqual([]);
  });
  it('a connection reset mid-sample is one finding: its cause and every request it took with it', () => {
    // Prepare: n3's connection dropped while its replies were arriving; n3 still answered through n1 and n2.
    const observed = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2', 'n3'] },
        { via: 'n2', hears: ['n1', 'n2', 'n3'] },
        { via: 'n3', hears: [], lostWith: 'connection closed' },
      ],
    });

    // Act
    const finding = onlyFinding(runCheck(vantageFailed, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'vantage:nats://n3:4222',
      summary: 'nats://n3:4222 could not be used as a vantage point (connection closed); it took JSZ, ROUTEZ and RAFTZ with it; the cluster answered through the other URLs',
      details: { url: 'nats://n3:4222', error: 'connection closed', lostRequests: ['JSZ', 'ROUTEZ', 'RAFTZ'] },
    });
    expect(finding.remediation.join(' ')).not.toMatch(/version/i);
  });

  it('a denied request on a vantage that still heard the cluster is named, with the endpoint it cost', () => {
    const observed = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2', 'n3'] },
        { via: 'n2', hears: ['n1', 'n2', 'n3'], jszEnded: 'all-expected', jszError: 'permissions violation: publish to "$SYS.REQ.SERVER.PING.JSZ"' },
      ],
    });
    expect(onlyFinding(runCheck(vantageFailed, observed)).details).toMatchObject({ lostRequests: ['JSZ'] });
  });
});
