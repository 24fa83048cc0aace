import { clusterUnreachable } from '../checks/cluster-unreachable.js';
import { metaLeaderDisagreement } from '../checks/meta-leader-disagreement.js';
import { metaNoLeader } from '../checks/meta-no-leader.js';
import { CheckRegistry } from '../checks/registry.js';
import { routeMissing } from '../checks/route-missing.js';
import { serverMissing } from '../checks/server-missing.js';
import { judge } from '../epoch/judge.js';
import { describeGroup, groupKey } from '../domain/group-key.js';
import type { Observation } from '../observation/types.js';
import { unhealthyReplicas } from '../observation/leader-movability.js';
import type { Move } from './types.js';
import type { PeerView } from '../replies/types.js';

/** Conditions under which moving leaders would add elections to a cluster already in trouble. */
const gateChecks = new CheckRegistry()
  .register(clusterUnreachable)
  .register(metaLeaderDisagreement)
  .register(metaNoLeader)
  .register(serverMissing)
  .register(routeMissing);

/**
 * Why leaders must not be moved now, or an empty list. A step-down starts an
 * election; during a meta disagreement, with a server or route missing, or
 * towards a replica that is behind, that election can stall the group or pick
 * a peer that cannot serve.
 */
export function gateProblems(observation: Observation, moves: readonly Move[]): string[] {
  const problems: string[] = [];
  const { drafts, runs } = judge(gateChecks, { observation, history: [] }, { skip: new Set(), thresholds: {} });
  for (const d of drafts) problems.push(`${d.check}: ${d.summary}`);
  for (const r of runs) if (r.outcome === 'error') problems.push(`${r.check} could not be evaluated: ${r.error}`);

  const groups = new Map(observation.groups.map((g) => [groupKey(g), g]));
  for (const move of moves) {
    const group = groups.get(groupKey(move));
    if (!group) {
      problems.push(`${describeGroup(move)} is no longer reported by any server`);
      continue;
    }
    const behind = unhealthyReplicas(group);
    if (behind.length > 0) {
      problems.push(`${describeGroup(move)} has replicas offline, silent or lagging: ${behind.map(describePeer).join(', ')}`);
    }
  }
  return problems;
}


function describePeer(peer: PeerView): string {
  if (peer.offline) return `${peer.name} (offline)`;
  const silentMs = peer.activeNs === undefined ? undefined : Math.round(peer.activeNs / 1e6);
  return `${peer.name} (lag ${peer.lag ?? 0}${silentMs === undefined ? '' : `, last seen ${silentMs} ms ago`})`;
}
