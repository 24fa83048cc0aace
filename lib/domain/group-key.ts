import type { RaftGroup } from './types.js';

/** Identifies a stream or consumer Raft group across samples: account, stream and consumer name. */
export function groupKey(g: Pick<RaftGroup, 'account' | 'stream' | 'consumer'>): string {
  return `${g.account}\u0000${g.stream}\u0000${g.consumer ?? ''}`;
}
