/**
 * The planner's internal model of one cluster: servers are indices 0..k-1,
 * groups are items, and items with the same kind, leader and allowed servers
 * form a class. Members of a class are interchangeable for balancing, so the
 * flow problems are solved over classes (a few hundred for five servers,
 * whatever the number of groups) and only then mapped back to groups.
 */
import type { RaftGroup } from '../observation/types.js';

export const STREAM = 0;
export const CONSUMER = 1;
export type Kind = typeof STREAM | typeof CONSUMER;

/** One counted group (known leader, replicated). */
export interface Item {
  readonly group: RaftGroup;
  readonly kind: Kind;
  readonly leader: number;
  /** Servers the group may be led by after the plan: its leader and its current replicas; ascending. */
  readonly allowed: readonly number[];
  /** Index into the family list, or -1 when the group has no family (see {@link Family}). */
  readonly family: number;
}

export interface GroupClass {
  readonly kind: Kind;
  readonly leader: number;
  readonly allowed: readonly number[];
  /** Item indices, ascending. */
  readonly items: number[];
}

/**
 * A stream and its consumers, when the stream and at least one consumer are
 * counted groups: the tie-break keeps them from all being led by one server.
 */
export interface Family {
  readonly items: readonly number[];
}

/** Upper bounds on leaders per server: the optimum the planner found. */
export interface Caps {
  readonly total: number;
  /** Indexed by {@link Kind}: streams, consumers. */
  readonly byKind: readonly [number, number];
}
