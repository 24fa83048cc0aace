import { defineCheck } from './define-check.js';
import { vantageFault } from './vantage-fault.js';

export const clusterUnreachable = defineCheck({
  id: 'cluster_unreachable',
  title: 'Cluster unreachable',
  description: 'No server answered from any configured URL: the auditor cannot see the cluster at all.',
  reads: ['JSZ'],
  severities: ['critical'],
  criticalAtFirstSight: {
    when: 'every configured server is unreachable',
    reason: 'an election never takes the client ports down: nothing of the cluster can be seen, let alone judged',
  },
  thresholds: [],
  run({ observation }) {
    if (observation.servers.length > 0) return [];
    const failedVantages = observation.vantages.map((v) => {
      const fault = vantageFault(v);
      return { url: v.url, error: fault?.error ?? 'connected, no JSZ reply', ...(fault && fault.lost.length > 0 ? { lostRequests: fault.lost } : {}) };
    });
    return [
      {
        subject: 'cluster',
        severity: 'critical',
        summary: `No server answered from any of ${failedVantages.length} configured URL${failedVantages.length === 1 ? '' : 's'}`,
        details: { failedVantages },
        remediation: [
          'Check that the servers are running and their client port is reachable from the auditor (security groups, VPC routing, DNS).',
          'Check the URLs and TLS settings given to the auditor.',
        ],
      },
    ];
  },
});
