import { compareText } from '../util/compare-text.js';

/** What names a stream or consumer Raft group: its account, stream and (for a consumer) consumer name. */
export interface GroupName {
  readonly account: string;
  readonly stream: string;
  readonly consumer?: string | undefined;
}

/** Identifies a stream or consumer Raft group across samples: account, stream and consumer name. */
export function groupKey(g: GroupName): string {
  return `${g.account}\u0000${g.stream}\u0000${g.consumer ?? ''}`;
}

/**
 * The order groups are listed in everywhere (the check's step-downs and
 * unmovable groups, the planner's moves): by account, then stream, a stream
 * before its consumers, consumers by name. Compared by code unit, not by
 * locale: a collator ignores the NUL separators and folds case, so two
 * different groups could tie and the order would depend on the machine.
 */
export function compareGroups(a: GroupName, b: GroupName): number {
  return compareText(groupKey(a), groupKey(b));
}

/** e.g. `stream ORDERS (account APP)`, `consumer ORDERS > worker (account APP)`: how reports and notices name a group. */
export function describeGroup(g: GroupName & { readonly kind: 'stream' | 'consumer' }): string {
  return g.kind === 'stream' ? `stream ${g.stream} (account ${g.account})` : `consumer ${g.stream} > ${g.consumer} (account ${g.account})`;
}
