import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { metaGroups, prevailingLeader } from './meta-group.js';
import { natscli } from './natscli.js';

export const metaLeaderFlapping = defineCheck({
  id: 'meta_leader_flapping',
  title: 'Meta leader flapping',
  description:
    'The meta leader changed more often than the threshold within recent epochs. Each election pauses the JetStream API; frequent ones point at restarts, slow disks, overloaded servers or a lossy network.',
  reads: ['JSZ'],
  severities: ['warning'],
  thresholds: [
    { key: 'max_changes', description: 'Leader changes tolerated within the window', default: 3, unit: 'count', min: 1 },
    { key: 'window_epochs', description: 'Number of most recent epochs (this one included) to count changes over', default: 10, unit: 'epochs', min: 2 },
  ],
  run({ observation, history, thresholds }) {
    const maxChanges = thresholds.max_changes;
    const window = thresholds.window_epochs;
    const findings: FindingDraft[] = [];
    for (const group of metaGroups(observation)) {
      const past = history.slice(-(window - 1)).map((e) => e.metaLeaders[group.key] ?? null);
      const sequence = [...past, prevailingLeader(group)].filter((l): l is string => l !== null);
      // Epochs without a leader are part of an election, not a change of their own: a -> none -> b counts once.
      const changes = sequence.filter((leader, i) => i > 0 && leader !== sequence[i - 1]).length;
      if (changes <= maxChanges) continue;
      findings.push({
        subject: `meta:${group.key}`,
        severity: 'warning',
        summary: `The meta leader changed ${changes} times in the last ${past.length + 1} epochs (limit ${maxChanges})`,
        details: { metaGroup: group.key, changes, epochs: past.length + 1, leaders: sequence },
        remediation: [
          'Look for servers restarting or being OOM-killed, slow or full disks under the JetStream store, CPU saturation and packet loss on the route port.',
          'Server logs show each election as "JetStream cluster new metadata leader".',
          `Verify: \`${natscli.reportJetStream}\` shows a stable leader across several epochs.`,
        ],
      });
    }
    return findings;
  },
});
