import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { metaGroups } from './meta-group.js';
import { natscli } from './natscli.js';

export const metaNoLeader = defineCheck({
  id: 'meta_no_leader',
  title: 'Meta group without leader (quorum lost)',
  description:
    'No server of a JetStream meta group knows a leader, or fewer servers answered than the group needs for quorum: the JetStream API cannot create, update or delete streams and consumers. An election leaves the group without a known leader for seconds (about 8 s after a partition heals on 2.9), so it is a warning when first seen and critical once it persists.',
  reads: ['JSZ'],
  severities: ['warning', 'critical'],
  thresholds: [],
  run({ observation }) {
    const findings: FindingDraft[] = [];
    for (const group of metaGroups(observation)) {
      const noneKnown = group.servers.every((s) => !s.meta?.leader);
      const belowQuorum = group.servers.length < group.quorum;
      if (!noneKnown && !belowQuorum) continue;
      const answering = group.servers.map((s) => s.name);
      findings.push({
        subject: `meta:${group.key}`,
        severity: 'critical',
        summary: belowQuorum
          ? `Only ${answering.length} of ${group.size} meta group servers answered; a quorum needs ${group.quorum}`
          : `No server of the meta group knows a leader (${answering.join(', ')} answered): the JetStream API is unavailable`,
        details: {
          metaGroup: group.key,
          size: group.size,
          quorum: group.quorum,
          answering,
          reason: belowQuorum ? 'quorum_lost' : 'no_leader',
        },
        remediation: [
          `Bring back enough servers for a quorum (${group.quorum} of ${group.size}): restart stopped servers and restore routes between them.`,
          `Check each server's log for "JetStream cluster no metadata leader" and for election messages.`,
          `Verify: \`${natscli.reportJetStream}\` shows one meta leader on every server.`,
        ],
      });
    }
    return findings;
  },
});
