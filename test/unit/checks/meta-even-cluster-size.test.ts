import { describe, expect, it } from 'vitest';
import { metaEvenClusterSize } from '../../../lib/checks/meta-even-cluster-size.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { healthyReplies, jsz, sample, servers } from '../../support/sample-builder.js';

describe('meta_even_cluster_size', () => {
  it('four peers: a warning saying it tolerates one failure, like three', () => {
    // Prepare
    const observed = sample({ replies: healthyReplies({ names: ['n1', 'n2', 'n3', 'n4'] }) });

    // Act
    const finding = onlyFinding(runCheck(metaEvenClusterSize, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'meta:default',
      severity: 'warning',
      summary: 'The meta group has 4 peers: it tolerates 1 failure, no more than 3 peers would',
      details: { metaGroup: 'default', size: 4, quorum: 3, toleratedFailures: 1 },
    });
    expect(finding.remediation[0]).toContain('`nats server cluster peer-remove <server>`');
  });

  it('two peers tolerate no failure at all', () => {
    // Prepare
    const observed = sample({ replies: healthyReplies({ names: ['n1', 'n2'] }) });

    // Act
    const finding = onlyFinding(runCheck(metaEvenClusterSize, observed));

    // Assess
    expect(finding.summary).toBe('The meta group has 2 peers: it tolerates 0 failures, no more than 1 peers would');
  });

  it('the size comes from cluster_size, not from how many answered', () => {
    // Prepare: three of a four-peer group answer.
    const s = servers(['n1', 'n2', 'n3']);
    const observed = sample({
      replies: Object.fromEntries(Object.values(s).map((srv) => [srv.name, { jsz: jsz(srv, { meta: { leader: 'n1', clusterSize: 4 } }) }])),
    });

    // Act / Assess
    expect(onlyFinding(runCheck(metaEvenClusterSize, observed)).details.size).toBe(4);
  });

  it('an odd group, a standalone server and a silent cluster give no finding', () => {
    // Prepare
    const odd = sample({ replies: healthyReplies({ names: ['n1', 'n2', 'n3', 'n4', 'n5'] }) });
    const standalone = sample({ replies: { solo: { jsz: jsz({ name: 'solo', cluster: null }) } } });
    const silent = sample({ replies: {}, vantages: [] });

    // Act / Assess
    expect(runCheck(metaEvenClusterSize, odd)).toEqual([]);
    expect(runCheck(metaEvenClusterSize, standalone)).toEqual([]);
    expect(runCheck(metaEvenClusterSize, silent)).toEqual([]);
  });
});
