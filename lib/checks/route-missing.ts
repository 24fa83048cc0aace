import type { ServerObservation } from '../observation/types.js';
import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { natscli } from './natscli.js';
import { groupBy } from '../util/group-by.js';

export const routeMissing = defineCheck({
  id: 'route_missing',
  title: 'Route missing',
  description:
    'Servers of one cluster should form a full mesh of routes. A server that answered but lacks a route to a peer that also answered cannot replicate to it directly; one-sided gaps mean an asymmetric network fault.',
  reads: ['ROUTEZ'],
  severities: ['warning'],
  thresholds: [],
  run({ observation }) {
    const findings: FindingDraft[] = [];
    for (const [cluster, members] of byCluster(observation.servers)) {
      const names = members.map((s) => s.name);
      const gaps: { server: string; lacks: string[] }[] = [];
      for (const server of members) {
        const routed = new Set(server.routes);
        const lacks = names.filter((n) => n !== server.name && !routed.has(n));
        if (lacks.length > 0) gaps.push({ server: server.name, lacks });
      }
      if (gaps.length === 0) continue;
      const oneSided = gaps.flatMap(({ server, lacks }) =>
        lacks.filter((peer) => !gaps.some((g) => g.server === peer && g.lacks.includes(server))).map((peer) => `${server}->${peer}`),
      );
      findings.push({
        subject: `cluster:${cluster}`,
        severity: 'warning',
        summary: `Routes missing in cluster ${cluster}: ${gaps.map((g) => `${g.server} has none to ${g.lacks.join(', ')}`).join('; ')}`,
        details: { cluster, gaps, oneSided },
        remediation: [
          `Check connectivity on the cluster (route) port between ${[...new Set(gaps.flatMap((g) => [g.server, ...g.lacks]))].join(', ')}: firewalls, security groups, DNS.`,
          "Check that each server's cluster.routes lists its peers (or a seed that gossips them) and that cluster.advertise is reachable.",
          // From 2.10 a pair keeps several route connections (a pool), so peers are what to count.
          `Verify: \`${natscli.routes}\` shows every server routed to its ${names.length - 1} peers (2.10+ lists several routes per peer).`,
        ],
      });
    }
    return findings;
  },
});

/** Servers that answered ROUTEZ, grouped by cluster name; a lone server has no peers to miss. */
function byCluster(servers: readonly ServerObservation[]): Map<string, ServerObservation[]> {
  const map = groupBy(servers, (s) => (s.cluster && s.routes !== undefined ? s.cluster : undefined));
  for (const [cluster, list] of map) if (list.length < 2) map.delete(cluster);
  return map;
}
