import { describe, expect, it } from 'vitest';
import type { EpochResult } from '../../../lib/epoch/run-epoch.js';
import type { Observation, RaftGroup, ServerObservation } from '../../../lib/observation/types.js';
import type { Report } from '../../../lib/epoch/report.js';
import { epochDashboardFields } from '../../../lib/serverless/epoch-log-fields.js';

function server(name: string, cluster: string, version: string, counts: Pick<ServerObservation, 'streamsLeader' | 'consumersLeader'> = {}): ServerObservation {
  return { name, id: `ID_${name}`, host: '127.0.0.1', cluster, version, jetstream: true, latencyMs: 1, heardVia: [], ...counts } as ServerObservation;
}

function group(stream: string, leader: string, cluster: string, consumer?: string): RaftGroup {
  return { kind: consumer ? 'consumer' : 'stream', account: 'APP', stream, consumer, cluster, leader, replicas: [{ name: 'x', current: true, activeNs: 0 }], reportedBy: leader } as unknown as RaftGroup;
}

function reportWith(checks: readonly string[]): Report {
  return { findings: checks.map((check) => ({ check })) } as unknown as Report;
}

describe('epochDashboardFields', () => {
  it("counts each cluster's leaders as the check does: the servers' own counts where all count, else the replicated groups", () => {
    // Prepare: c1 counts its own (2.12.1, a zero omitted); c2 is 2.9 and is counted from its groups
    const observation = {
      servers: [
        server('a1', 'c1', '2.12.1', { streamsLeader: 5, consumersLeader: 2 }),
        server('a2', 'c1', '2.12.1', {}),
        server('b1', 'c2', '2.9.10'),
        server('b2', 'c2', '2.9.10'),
      ],
      groups: [group('S1', 'b2', 'c2'), group('S1', 'b2', 'c2', 'C1'), group('S2', 'b1', 'c2')],
    } as unknown as Observation;
    const result = { report: reportWith(['uneven_leader_distribution', 'route_missing', 'route_missing']), observation } as unknown as EpochResult;

    // Act
    const fields = epochDashboardFields(result, 1234);

    // Assess
    expect(fields).toEqual({
      durationMs: 1234,
      findingsByCheck: { uneven_leader_distribution: 1, route_missing: 2 },
      leaders: [
        { cluster: 'c1', server: 'a1', streams: 5, consumers: 2, total: 7 },
        { cluster: 'c1', server: 'a2', streams: 0, consumers: 0, total: 0 },
        { cluster: 'c2', server: 'b1', streams: 1, consumers: 0, total: 1 },
        { cluster: 'c2', server: 'b2', streams: 1, consumers: 1, total: 2 },
      ],
    });
  });

  it('logs no leaders for an epoch whose audit could not run, but still its finding', () => {
    // Prepare
    const result = { report: reportWith(['audit_failed']), failed: { subject: 'credentials', summary: 's', remediation: [] } } as unknown as EpochResult;

    // Act and assess
    expect(epochDashboardFields(result, 50)).toEqual({ durationMs: 50, findingsByCheck: { audit_failed: 1 }, leaders: [] });
  });
});
