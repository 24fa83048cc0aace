import type { CheckDefinition } from './types.js';

export const clusterUnreachable: CheckDefinition = {
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
    const failedVantages = observation.vantages.map((v) => ({
      url: v.url,
      error: v.error ? `${v.error.kind}: ${v.error.message}` : `connected, no JSZ reply (${v.jszEnded ?? 'not asked'})`,
    }));
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
};
