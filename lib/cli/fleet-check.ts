import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CheckRegistry } from '../checks/registry.js';
import type { CheckConfig } from '../config/check-config.js';
import { AuditUnavailableError, ConfigError } from '../errors.js';
import { gatherForEpoch } from '../epoch/gather-cluster.js';
import { runEpoch } from '../epoch/run-epoch.js';
import type { ClusterAuditConfig, FleetConfig } from '../fleet/fleet-config.js';
import { readFleetFile } from '../fleet/read-fleet-file.js';
import { EXIT_CODES, type Report, type Status } from '../epoch/report.js';
import { ConnectionOptionsError } from '../sampling/connection-options.js';
import { CredentialsSecretError } from '../secrets/credentials-secret.js';
import { SecretReader } from '../secrets/secret-reader.js';
import type { ConsumerCounterStore, StateStore } from '../state/state-store.js';
import { forEachConcurrently } from '../util/concurrency.js';
import type { CommandIo } from './io.js';

/** Clusters audited at once: each epoch is mostly waiting on replies. */
const FLEET_CONCURRENCY = 4;

/** Worst first, for the fleet's exit code: a critical cluster outranks one the auditor could not see. */
const STATUS_RANK: Readonly<Record<Status, number>> = { critical: 3, warning: 2, unknown: 1, ok: 0 };

export interface FleetEpochOutput {
  readonly cluster: string;
  readonly status: Status;
  /** Rendered report, or the reason the audit could not run. */
  readonly text: string;
}

/**
 * `check --fleet FILE`: the scheduled auditor's epoch for every cluster of a
 * fleet, run from a workstation. Credentials come from each cluster's
 * Secrets Manager secret through the default AWS credential chain (or from
 * auth flags for every cluster); state goes to the local state file.
 */
export async function checkFleet(
  config: CheckConfig,
  registry: CheckRegistry,
  store: StateStore & ConsumerCounterStore,
  render: (report: Report) => string,
  io: CommandIo,
): Promise<number> {
  const fleet = readFleetFile(config.fleetPath!, registry, '--fleet');
  const clusters = selectClusters(fleet, config);
  const secrets = secretsByRegion(fleet);
  const outputs = new Map<ClusterAuditConfig, FleetEpochOutput>();
  await forEachConcurrently(clusters, FLEET_CONCURRENCY, async (cluster) => {
    outputs.set(cluster, await auditOne(cluster));
  });
  let worst: Status = 'ok';
  // In fleet-file order, whatever order the epochs finished in.
  for (const out of clusters.map((c) => outputs.get(c)!)) {
    (out.status === 'unknown' ? io.stderr : io.stdout)(out.text);
    if (STATUS_RANK[out.status] > STATUS_RANK[worst]) worst = out.status;
  }
  return EXIT_CODES[worst];

  async function auditOne(cluster: ClusterAuditConfig): Promise<FleetEpochOutput> {
    try {
      const credentials = config.fleetCredentials ?? (await secrets(cluster).read(cluster.credentialsSecret, cluster.name));
      const checks = { skip: new Set(cluster.skip), thresholds: cluster.thresholds };
      const { report } = await runEpoch({
        sample: () => gatherForEpoch(cluster, { auth: credentials.auth, tls: credentials.tls, registry, checks }),
        store,
        consumerCounters: store,
        clusterKey: cluster.name,
        registry,
        checks,
        persistence: { epochs: cluster.persistence.epochs, minMs: cluster.persistence.minSeconds * 1000 },
        confirm: { delayMs: cluster.confirmDelayMs },
      });
      return { cluster: cluster.name, status: report.status, text: render(report) };
    } catch (error) {
      if (!(error instanceof AuditUnavailableError || error instanceof CredentialsSecretError || error instanceof ConnectionOptionsError)) throw error;
      return { cluster: cluster.name, status: 'unknown', text: `UNKNOWN ${cluster.name}: ${error.message}\n` };
    }
  }
}

function selectClusters(fleet: FleetConfig, config: CheckConfig): readonly ClusterAuditConfig[] {
  if (config.clusterName === undefined) return fleet.clusters;
  const one = fleet.clusters.filter((c) => c.name === config.clusterName);
  if (one.length === 0) {
    throw new ConfigError('--cluster', `${config.fleetPath} has no cluster named ${config.clusterName}; clusters: ${fleet.clusters.map((c) => c.name).join(', ')}`);
  }
  return one;
}

/** One reader per region: a secret lives in its cluster's environment (or the region its ARN names). */
function secretsByRegion(fleet: FleetConfig): (cluster: ClusterAuditConfig) => SecretReader {
  const readers = new Map<string, SecretReader>();
  const regionOf = new Map(fleet.environments.map((e) => [e.name, e.region]));
  return (cluster) => {
    const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(cluster.credentialsSecret)?.[1] ?? regionOf.get(cluster.environment)!;
    let reader = readers.get(region);
    if (!reader) {
      reader = new SecretReader({ client: new SecretsManagerClient({ region }) });
      readers.set(region, reader);
    }
    return reader;
  };
}
