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
