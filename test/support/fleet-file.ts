import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetConfigInput } from '../../lib/fleet/fleet-config.js';

type ClusterInput = FleetConfigInput['clusters'][number];

/** A fleet of the given clusters in one test environment (account 222222222222, us-east-1). */
export function testFleet(clusters: readonly Omit<ClusterInput, 'environment'>[], extra: Partial<FleetConfigInput> = {}): FleetConfigInput {
  return {
    notifications: { account: '111111111111', region: 'us-east-1' },
    environments: { test: { account: '222222222222', region: 'us-east-1' } },
    clusters: clusters.map((c) => ({ environment: 'test', ...c })),
    ...extra,
  };
}

export function writeFleetFile(dir: string, name: string, fleet: FleetConfigInput): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(fleet, null, 2));
  return path;
}
