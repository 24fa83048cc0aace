/**
 * Conditions a Raft election causes for a few seconds, and a real fault
 * causes for as long as it lasts. An epoch that sees one samples again
 * after a short delay before it decides (lib/epoch/run-epoch.ts), so an
 * election that has ended is not reported and a fault is confirmed.
 */
import type { Observation } from '../observation/types.js';
import { metaGroups } from './meta-group.js';
import { clusterLeaderCounts, countsMidElection } from './cluster-leader-counts.js';

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
  for (const counted of clusterLeaderCounts(observation)) {
    for (const summary of countsMidElection(counted)) signs.push({ kind: 'leader_counts_inconsistent', subject: `cluster:${counted.cluster}`, summary });
  }
  return signs;
}
