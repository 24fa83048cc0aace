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
});
