import { describe, expect, it } from 'vitest';
import { clockSkew } from '../../../lib/checks/clock-skew.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { DEFAULT_LATENCY_MS, T0, healthyReplies, jsz, sample, servers, type ReplySet } from '../../support/sample-builder.js';

const MIDPOINT = T0 + DEFAULT_LATENCY_MS / 2;

/** A healthy cluster where n2's clock reads `skewMs` off the auditor's. */
function withN2Skew(skewMs: number, latencyMs: Record<string, number> = {}) {
  const replies: Record<string, ReplySet> = {
    ...healthyReplies(),
    n2: { jsz: jsz({ ...servers(['n2']).n2, clockOffsetMs: skewMs }, { meta: { leader: 'n1' } }) },
  };
  return sample({ replies, latencyMs });
}

describe('clock_skew', () => {
  it('a clock 2 s ahead is a warning with the skew, its uncertainty and the limit', () => {
    // Act
    const finding = onlyFinding(runCheck(clockSkew, withN2Skew(2000)));

    // Assess
    expect(finding).toMatchObject({
      subject: 'server:n2',
      severity: 'warning',
      summary: "n2's clock is 2000 ms ahead of the auditor's (±2 ms; limit 500 ms)",
      details: { server: 'n2', skewMs: 2000, uncertaintyMs: 2, limitMs: 500 },
    });
    expect(finding.remediation[0]).toContain('chronyc tracking');
    expect(finding.remediation[0]).toContain('on n2');
  });

  it('a clock behind says so', () => {
    expect(onlyFinding(runCheck(clockSkew, withN2Skew(-900))).summary).toBe("n2's clock is 900 ms behind the auditor's (±2 ms; limit 500 ms)");
  });

  it('only the part the round trip cannot explain counts: skew minus uncertainty must exceed the limit', () => {
    // Prepare: ±2 ms; 502 ms leaves exactly 500, 503 leaves 501.
    // Act / Assess
    expect(runCheck(clockSkew, withN2Skew(502))).toEqual([]);
    expect(runCheck(clockSkew, withN2Skew(503))).toHaveLength(1);
  });

  it('a slow round trip widens the uncertainty enough to excuse a large apparent skew', () => {
    // Prepare: 1400 ms round trip (±700 ms), 1000 ms apparent skew.
    expect(runCheck(clockSkew, withN2Skew(1000, { n2: 1400 }))).toEqual([]);
  });

  it('takes the tightest reading across vantages', () => {
    // Prepare: n1 runs 1500 ms ahead and stamped one reply, seen 2 s late through n2's vantage (listed first) and fast through its own.
    const observed = sample({
      replies: { ...healthyReplies(), n1: { jsz: jsz({ ...servers(['n1']).n1, time: MIDPOINT + 1500 }, { meta: { leader: 'n1' } }) } },
      vantages: [
        { via: 'n2', hears: ['n1', 'n2', 'n3'], delayMs: 2000 },
        { via: 'n1', hears: ['n1', 'n2', 'n3'] },
      ],
    });

    // Act
    const finding = onlyFinding(runCheck(clockSkew, observed));

    // Assess: through n2 alone the skew would be 500 ± 1002 ms, which proves nothing.
    expect(finding.details).toMatchObject({ server: 'n1', skewMs: 1500, uncertaintyMs: 2 });
  });

  it('honours an overridden max_skew_ms', () => {
    expect(runCheck(clockSkew, withN2Skew(2000), { thresholds: { max_skew_ms: 2500 } })).toEqual([]);
  });

  it('a healthy or silent cluster gives no finding', () => {
    expect(runCheck(clockSkew, sample({ replies: healthyReplies() }))).toEqual([]);
    expect(runCheck(clockSkew, sample({ replies: {}, vantages: [] }))).toEqual([]);
  });
});
