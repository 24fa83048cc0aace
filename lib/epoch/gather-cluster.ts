/**
 * Gathering one cluster for an epoch: the one call the CLI's check, the
 * fleet check and the Lambda make, so the three ask the servers the same
 * way. The check settings shape the request: the uneven_leader_distribution
 * thresholds pick the servers gather asks for stream detail (its `flagged`
 * mode), so gather and the check cannot disagree on which server is hot;
 * and the checks that run pick the endpoints (see {@link endpointsToAsk}).
 */
import type { CheckRegistry } from '../checks/registry.js';
import { leaderBalanceFor } from '../checks/uneven-leader-distribution.js';
import type { Endpoint, RawSample } from '../domain/raw-sample.js';
import { gather, GATHER_DEFAULTS, type GatherConfig } from '../sampling/gather.js';
import type { CheckSettings } from './judge.js';
import type { SampleWants } from './run-epoch.js';

/** Where one cluster is and how long an epoch may take to hear it. */
export interface ClusterToGather {
  readonly servers: readonly string[];
  readonly expectServers?: number | undefined;
  readonly timeoutMs: number;
}

export interface EpochGatherOptions extends Pick<GatherConfig, 'auth' | 'tls' | 'connectionName' | 'maxSampleBytes'> {
  /** The checks the epoch runs, and their settings. */
  readonly registry: CheckRegistry;
  readonly checks: CheckSettings;
  /** What this epoch needs beyond the default, e.g. detail from every server when load rates are due. */
  readonly wants?: SampleWants;
}

/** One epoch's sample of `cluster`, asked for as the checks that will judge it need. */
export function gatherForEpoch(cluster: ClusterToGather, options: EpochGatherOptions): Promise<RawSample> {
  const { registry, checks, wants, ...connection } = options;
  return gather({
    servers: cluster.servers,
    expectServers: cluster.expectServers,
    timeoutMs: cluster.timeoutMs,
    ...connection,
    endpoints: endpointsToAsk(registry, checks.skip),
    leaderBalance: leaderBalanceFor(checks.thresholds),
    ...(wants?.everyServerDetail ? { jszDetail: 'per-server' as const } : {}),
  });
}

/**
 * What the epoch asks each server for: JSZ, which the epoch reads whatever
 * runs (whether the sample can be audited at all, the meta leaders its
 * history keeps), and every endpoint a check that runs declares in `reads`.
 * So `--skip` saves requests: skipping route_missing and
 * server_reply_invalid (which reads every reply) leaves ROUTEZ unasked, one
 * PING per vantage fewer. A report then shows no routes for the servers,
 * as when ROUTEZ goes unanswered.
 */
export function endpointsToAsk(registry: CheckRegistry, skip: ReadonlySet<string>): Endpoint[] {
  const read = new Set<Endpoint>(['JSZ']);
  for (const check of registry.all()) if (!skip.has(check.id)) check.reads.forEach((e) => read.add(e));
  return GATHER_DEFAULTS.endpoints.filter((e) => read.has(e));
}
