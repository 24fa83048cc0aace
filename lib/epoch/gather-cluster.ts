/**
 * Gathering one cluster for an epoch: the one call the CLI's check, the
 * fleet check and the Lambda make, so the three ask the servers the same
 * way. The check settings shape the request: the uneven_leader_distribution
 * thresholds pick the servers gather asks for stream detail (its `flagged`
 * mode), so gather and the check cannot disagree on which server is hot.
 */
import { leaderBalanceFor } from '../checks/uneven-leader-distribution.js';
import type { RawSample } from '../domain/raw-sample.js';
import { gather, type GatherConfig } from '../sampling/gather.js';
import type { CheckSettings } from './judge.js';

/** Where one cluster is and how long an epoch may take to hear it. */
export interface ClusterToGather {
  readonly servers: readonly string[];
  readonly expectServers?: number | undefined;
  readonly timeoutMs: number;
}

export interface EpochGatherOptions extends Pick<GatherConfig, 'auth' | 'tls' | 'connectionName' | 'maxSampleBytes'> {
  /** The settings the epoch's checks run with. */
  readonly checks: CheckSettings;
}

/** One epoch's sample of `cluster`, asked for as the checks that will judge it need. */
export function gatherForEpoch(cluster: ClusterToGather, options: EpochGatherOptions): Promise<RawSample> {
  const { checks, ...connection } = options;
  return gather({
    servers: cluster.servers,
    expectServers: cluster.expectServers,
    timeoutMs: cluster.timeoutMs,
    ...connection,
    leaderBalance: leaderBalanceFor(checks.thresholds),
  });
}
