import { CheckRegistry } from './registry.js';
import { clockSkew } from './clock-skew.js';
import { clusterUnreachable } from './cluster-unreachable.js';
import { leaderLoadConcentration } from './leader-load-concentration.js';
import { metaEvenClusterSize } from './meta-even-cluster-size.js';
import { metaLeaderDisagreement } from './meta-leader-disagreement.js';
import { metaLeaderFlapping } from './meta-leader-flapping.js';
import { metaNoLeader } from './meta-no-leader.js';
import { routeMissing } from './route-missing.js';
import { serverMissing } from './server-missing.js';
import { serverReplyInvalid } from './server-reply-invalid.js';
import { unevenLeaderDistribution } from './uneven-leader-distribution.js';
import { vantageFailed } from './vantage-failed.js';

export { CheckRegistry } from './registry.js';
export type { CheckContext, CheckDefinition, EpochSummary, FindingDraft, Severity, ThresholdSpec } from './types.js';
export { metaGroups, prevailingLeader } from './meta-group.js';

/** Every built-in check, in the order reports list them. */
export function defaultRegistry(): CheckRegistry {
  return new CheckRegistry()
    .register(clusterUnreachable)
    .register(metaLeaderDisagreement)
    .register(metaNoLeader)
    .register(serverMissing)
    .register(unevenLeaderDistribution)
    .register(leaderLoadConcentration)
    .register(metaEvenClusterSize)
    .register(metaLeaderFlapping)
    .register(clockSkew)
    .register(routeMissing)
    .register(vantageFailed)
    .register(serverReplyInvalid);
}
