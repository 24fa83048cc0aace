export { planRebalance } from './plan.js';
export { UnmovableReason } from './types.js';
export type {
  ClusterPlan,
  LeaderCounts,
  Move,
  RebalanceOptions,
  RebalancePlan,
  ServerLeaders,
  UnmovableGroup,
} from './types.js';
export { executePlan, type ExecuteDependencies, type ExecuteOptions, type ExecuteResult, type MoveOutcome, type MoveResult } from './execute.js';
export { gateProblems } from './gate.js';
export { isHealthyReplica, REPLICA_HEALTH } from '../domain/replica-health.js';
export { stepDownsNameLeader } from './step-down-placement.js';
