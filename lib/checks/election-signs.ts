/**
 * Conditions a Raft election causes for a few seconds, and a real fault
 * causes for as long as it lasts. An epoch that sees one samples again
 * after a short delay before it decides (lib/epoch/run-epoch.ts), so an
 * election that has ended is not reported and a fault is confirmed.
 */
import type { Observation, ServerObservation } from '../observation/types.js';
import { leaderCountGaps } from '../domain/leader-balance.js';
import { metaGroups } from './meta-group.js';
import { groupBy } from '../util/group-by.js';

export type ElectionSignKind = 'meta_disagreement' | 'meta_no_leader' | 'leader_counts_inconsistent';

export interface ElectionSign {
  readonly kind: ElectionSignKind;
  /** The finding subject it concerns: `meta:<domain>` or `cluster:<name>`. */
  readonly subject: string;
  readonly summary: string;
}

export function electionSigns(observation: Observation): ElectionSign[] {
  const signs: ElectionSign[] = [];
  for (const group of metaGroups(observation)) {
    const views = new Set(group.servers.map((s) => s.meta?.leader ?? null));
    const subject = `meta:${group.key}`;
    if (views.size > 1) {
      signs.push({ kind: 'meta_disagreement', subject, summary: 'servers disagree on the meta leader' });
    } else if (views.has(null)) {
      signs.push({ kind: 'meta_no_leader', subject, summary: 'no answering server knows a meta leader' });
    }
  }
  for (const [cluster, members] of jetStreamClusters(observation.servers)) {
    for (const gap of leaderCountGaps(members, (s) => s.name)) {
      signs.push({
        kind: 'leader_counts_inconsistent',
        subject: `cluster:${cluster}`,
        summary: `the servers' own counts sum to ${gap.led} ${gap.metric} leaders while ${gap.host} alone hosts ${gap.hosted}`,
      });
    }
  }
  return signs;
}

/** JetStream servers by cluster name, clusters of one left out (as uneven_leader_distribution groups them). */
export function jetStreamClusters(servers: readonly ServerObservation[], minMembers = 2): Map<string, ServerObservation[]> {
  const map = groupBy(servers, (s) => (s.jetstream ? (s.cluster ?? '') : undefined));
  for (const [key, list] of map) if (list.length < minMembers) map.delete(key);
  return map;
}
