import { PREFERRED_STEP_DOWN_API_LEVEL } from '../jetstream/api-level.js';
import type { ServerObservation } from '../observation/types.js';

/**
 * A step-down may name the next leader (`placement.preferred`) only when
 * every server of the cluster honours it: the group's leader handles the
 * request, and in a mixed cluster during an upgrade any of them may lead.
 * Read from the JetStream API level each server's JSZ reports (2.11+),
 * never from its version string.
 */
export function stepDownsNameLeader(servers: readonly Pick<ServerObservation, 'apiLevel'>[]): boolean {
  return servers.length > 0 && servers.every((s) => (s.apiLevel ?? 0) >= PREFERRED_STEP_DOWN_API_LEVEL);
}
