import { describe, expect, it } from 'vitest';
import { routeMissing } from '../../../lib/checks/route-missing.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { fullMesh, healthyReplies, jsz, routez, sample, servers, type ReplySet } from '../../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

/** n1..n3 agreeing on n1, each with routes to exactly `routes[name]`. */
function withRoutes(routes: Record<string, readonly { name: string }[]>, options: { names?: boolean } = {}) {
  const replies: Record<string, ReplySet> = {};
  for (const s of [n1, n2, n3]) {
    replies[s.name] = {
      jsz: jsz(s, { meta: { leader: 'n1' } }),
      ...(routes[s.name] ? { routez: routez(s, routes[s.name]!, options) } : {}),
    };
  }
  return sample({ replies });
}

describe('route_missing', () => {
  it('a route missing on both sides is one warning naming both gaps', () => {
    // Prepare: n1 and n3 cannot route to each other; both reach n2.
    const observed = withRoutes({ n1: [n2], n2: [n1, n3], n3: [n2] });

    // Act
    const finding = onlyFinding(runCheck(routeMissing, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'cluster:c1',
      severity: 'warning',
      summary: 'Routes missing in cluster c1: n1 has none to n3; n3 has none to n1',
      details: {
        cluster: 'c1',
        gaps: [
          { server: 'n1', lacks: ['n3'] },
          { server: 'n3', lacks: ['n1'] },
        ],
        oneSided: [],
      },
    });
    expect(finding.remediation[0]).toContain('between n1, n3');
    expect(finding.remediation.at(-1)).toBe('Verify: `nats server request routes` shows every server routed to its 2 peers (2.10+ lists several routes per peer).');
  });

  it('a route seen from one side only is flagged as one-sided', () => {
    // Act
    const finding = onlyFinding(runCheck(routeMissing, withRoutes({ n1: [n2], n2: [n1, n3], n3: [n1, n2] })));

    // Assess
    expect(finding.details.oneSided).toEqual(['n1->n3']);
  });

  it('resolves 2.9.10 routes (remote_id only) to names through the JSZ replies', () => {
    expect(runCheck(routeMissing, withRoutes({ n1: [n2, n3], n2: [n1, n3], n3: [n1, n2] }, { names: false }))).toEqual([]);
  });

  it('does not judge a server that sent no ROUTEZ, nor miss it', () => {
    expect(runCheck(routeMissing, withRoutes({ n1: [n2], n2: [n1] }))).toEqual([]);
  });

  it('expects no routes between different clusters (those are gateways)', () => {
    // Prepare
    const east = servers(['e1', 'e2'], { cluster: 'east' });
    const west = servers(['w1', 'w2'], { cluster: 'west' });
    const observed = sample({
      replies: {
        e1: { jsz: jsz(east.e1, { meta: { leader: 'e1' } }), routez: routez(east.e1, [east.e2]) },
        e2: { jsz: jsz(east.e2, { meta: { leader: 'e1' } }), routez: routez(east.e2, [east.e1]) },
        w1: { jsz: jsz(west.w1, { meta: { leader: 'e1' } }), routez: routez(west.w1, [west.w2]) },
        w2: { jsz: jsz(west.w2, { meta: { leader: 'e1' } }), routez: routez(west.w2, [west.w1]) },
      },
      vantages: fullMesh(['e1', 'e2', 'w1', 'w2']),
    });

    // Act / Assess
    expect(runCheck(routeMissing, observed)).toEqual([]);
  });

  it('a healthy mesh, a single server and a silent cluster give no finding', () => {
    expect(runCheck(routeMissing, sample({ replies: healthyReplies() }))).toEqual([]);
    expect(runCheck(routeMissing, sample({ replies: healthyReplies({ names: ['n1'] }) }))).toEqual([]);
    expect(runCheck(routeMissing, sample({ replies: {}, vantages: [] }))).toEqual([]);
  });
});
