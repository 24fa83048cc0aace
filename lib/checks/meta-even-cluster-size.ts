import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { metaGroups } from './meta-group.js';
import { natscli } from './natscli.js';

export const metaEvenClusterSize = defineCheck({
  id: 'meta_even_cluster_size',
  title: 'Even-sized meta group',
  description:
    'The JetStream meta group has an even number of peers: it tolerates no more failures than one server fewer, and a clean split in half leaves neither side with a quorum.',
  reads: ['JSZ'],
  severities: ['warning'],
  thresholds: [],
  run({ observation }) {
    const findings: FindingDraft[] = [];
    for (const group of metaGroups(observation)) {
      if (group.size % 2 !== 0) continue;
      const tolerates = group.size - group.quorum;
      findings.push({
        subject: `meta:${group.key}`,
        severity: 'warning',
        summary: `The meta group has ${group.size} peers: it tolerates ${tolerates} failure${tolerates === 1 ? '' : 's'}, no more than ${group.size - 1} peers would`,
        details: { metaGroup: group.key, size: group.size, quorum: group.quorum, toleratedFailures: tolerates },
        remediation: [
          `Run an odd number of JetStream servers: add one server, or remove one from the meta group with \`${natscli.peerRemove('<server>')}\` after shutting it down.`,
        ],
      });
    }
    return findings;
  },
});
