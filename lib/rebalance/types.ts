import type { PeerView } from '../replies/types.js';

/** Leaders one server holds, counted over replicated groups with a known leader. */
export interface LeaderCounts {
  readonly streams: number;
  readonly consumers: number;
  /** streams + consumers */
  readonly total: number;
}

export interface ServerLeaders {
  readonly name: string;
  readonly before: LeaderCounts;
  /** After every move of the plan. */
  readonly after: LeaderCounts;
  /** Plans by load only: stream messages written per second it leads, before and after. */
  readonly loadBefore?: number;
  readonly loadAfter?: number;
}

/** One leader to hand over: step the group down towards `to`. */
export interface Move {
  readonly kind: 'stream' | 'consumer';
  /** The group's account as JSZ names it; step-downs need that account's credentials. */
  readonly account: string;
  /** The account's public key in operator mode (see account-ref.ts); credentials may be keyed by it. */
  readonly accountId?: string;
  readonly stream: string;
  readonly consumer?: string;
  readonly from: string;
  /** A current, online replica of the group, as its leader saw it. */
  readonly to: string;
  /** Plans by load only: the messages written per second the move carries. */
  readonly load?: number;
}

import { UnmovableReason } from '../observation/leader-movability.js';

/** Why a group is left where it is: one definition, shared with the uneven_leader_distribution check. */
export { UnmovableReason };

export interface UnmovableGroup {
  readonly kind: 'stream' | 'consumer';
  readonly account: string;
  readonly accountId?: string;
  readonly stream: string;
  readonly consumer?: string;
  readonly leader?: string;
  readonly reason: UnmovableReason;
}

export interface ClusterPlan {
  /** Cluster name; '' for groups and servers without one. */
  readonly cluster: string;
  /** JetStream servers of the cluster that answered, plus any server leading a counted group; sorted by name. */
  readonly servers: readonly ServerLeaders[];
  /** In the order to carry them out (see `orderMoves`). */
  readonly moves: readonly Move[];
  readonly unmovable: readonly UnmovableGroup[];
  /** Highest total leaders on one server before and after the plan. */
  readonly maxBefore: number;
  readonly maxAfter: number;
  /** Counted leaders per server listed (total / servers.length; 0 without servers). */
  readonly average: number;
  /** What the plan minimises: leader counts (the default) or write load (load-plan.ts). */
  readonly by?: 'count' | 'load';
  /** Plans by load only: the busiest server's writes per second before and after. */
  readonly maxLoadBefore?: number;
  readonly maxLoadAfter?: number;
  /** Plans by load only: false when the search stopped at its budget with the best plan found so far. */
  readonly optimal?: boolean;
}

export interface RebalancePlan {
  /** Sorted by cluster name. */
  readonly clusters: readonly ClusterPlan[];
}

export interface RebalanceOptions {
  /** Plan only this cluster ('' for servers without one). @default every cluster */
  readonly cluster?: string;
  /**
   * Whether a replica, as the group's leader reports it, may take over its
   * leadership. Groups with no such replica are `no_current_replica`.
   * @default isHealthyReplica: online, heard from recently and at most a few entries behind
   */
  readonly canLead?: (replica: PeerView) => boolean;
}
