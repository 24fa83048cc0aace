import type { ServerObservation } from '../observation/types.js';
import { groupBy } from '../util/group-by.js';

/** JetStream servers by cluster name, clusters of fewer than `minMembers` (by default two) left out, as the leader checks group them. */
export function jetStreamClusters(servers: readonly ServerObservation[], minMembers = 2): Map<string, ServerObservation[]> {
  const map = groupBy(servers, (s) => (s.jetstream ? (s.cluster ?? '') : undefined));
  for (const [key, list] of map) if (list.length < minMembers) map.delete(key);
  return map;
}
