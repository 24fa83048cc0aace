/** Observations of R3 streams with counters, for the load rates, check and planner tests. */
import type { Observation, RaftGroup, ServerObservation } from '../../lib/observation/types.js';

export const LOAD_T0 = Date.UTC(2026, 0, 1, 12);

export interface LoadStreamSpec {
  readonly name: string;
  readonly leader: string;
  /** Default: the other servers of n1..n3. */
  readonly replicas?: readonly string[];
  readonly seq: number;
  /** Reporter clock, ms after LOAD_T0. @default 0 */
  readonly atMs?: number;
  readonly created?: string;
  readonly messages?: number;
  readonly bytes?: number;
  readonly cluster?: string;
}

export function loadStream(spec: LoadStreamSpec): RaftGroup {
  const replicas = spec.replicas ?? ['n1', 'n2', 'n3'].filter((n) => n !== spec.leader);
  return {
    kind: 'stream',
    account: 'APP',
    stream: spec.name,
    cluster: spec.cluster ?? 'c1',
    leader: spec.leader,
    replicas: replicas.map((name) => ({ name, current: true })),
    reportedBy: spec.leader,
    counters: {
      at: LOAD_T0 + (spec.atMs ?? 0),
      seq: spec.seq,
      created: spec.created ?? '2026-01-01T00:00:00Z',
      messages: spec.messages ?? spec.seq,
      bytes: spec.bytes ?? spec.seq * 100,
    },
  };
}

export function loadServer(name: string, cluster = 'c1'): ServerObservation {
  return { name, id: `N${name.toUpperCase()}`, cluster, version: '2.9.10', jetstream: true, latencyMs: 1, heardVia: [], detailed: true };
}

export function loadObservation(groups: readonly RaftGroup[], names: readonly string[] = ['n1', 'n2', 'n3']): Observation {
  const servers = names.map((n) => loadServer(n));
  return { startedAt: LOAD_T0, gatherMs: 0, expectedServerCount: servers.length, servers, vantages: [], groups, problems: [], knownServerNames: [...names] };
}
