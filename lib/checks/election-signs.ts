/**
 * Conditions a Raft election causes for a few seconds, and a real fault
 * causes for as long as it lasts. An epoch that sees one samples again
 * after a short delay before it decides (lib/epoch/run-epoch.ts), so an
 * election that has ended is not reported and a fault is confirmed.
 */
import type { Observation, RaftGroup } from '../observation/types.js';
import { leaderCountGaps } from '../domain/leader-balance.js';
import { metaGroups } from './meta-group.js';
import { clusterLeaderCounts } from './cluster-leader-counts.js';

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
  for (const { cluster, members, leaderless } of clusterLeaderCounts(observation)) {
    const subject = `cluster:${cluster}`;
    for (const gap of leaderCountGaps(members, (s) => s.name)) {
      signs.push({
        kind: 'leader_counts_inconsistent',
        subject,
        summary: `the servers' own counts sum to ${gap.led} ${gap.metric} leaders while ${gap.host} alone hosts ${gap.hosted}`,
      });
    }
    if (leaderless.length > 0) {
      const more = leaderless.length > 1 ? ` and ${leaderless.length - 1} more` : '';
      signs.push({ kind: 'leader_counts_inconsistent', subject, summary: `no server names a leader of ${groupLabel(leaderless[0]!)}${more}` });
    }
  }
  return signs;
}

/** e.g. `consumer ORDERS > worker (account APP)`. */
function groupLabel(g: RaftGroup): string {
  return `${g.kind} ${g.stream}${g.kind === 'consumer' ? ` > ${g.consumer}` : ''} (account ${g.account})`;
}
