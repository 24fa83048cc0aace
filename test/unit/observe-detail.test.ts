import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { judge } from '../../lib/epoch/judge.js';
import { observe } from '../../lib/observation/observe.js';
import type { RawRequest, RawSample } from '../../lib/domain/raw-sample.js';
import { jsz, replicatedStreams, sample, serverId, servers, T0, type ServerSpec } from '../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);
const all = [n1, n2, n3];

/** Each server leads two R3 streams of its own. */
function streamsOf(server: ServerSpec) {
  return replicatedStreams(2, server.name, all.filter((s) => s !== server).map((s) => s.name));
}

/** Gather's per-server shape: every vantage hears summaries; each vantage's own server answers a detail request, earlier. */
function perServerSample(refused: Partial<Record<string, string>> = {}): RawSample {
  const base = sample({
    replies: Object.fromEntries(all.map((s) => [s.name, { jsz: jsz(s, { meta: { leader: 'n1', clusterSize: 3 } }) }])),
    latencyMs: { n1: 9, n2: 9, n3: 9 },
  });
  return {
    ...base,
    vantages: base.vantages.map((v, i) => {
      const server = all[i]!;
      const detail: RawRequest = {
        endpoint: 'JSZ',
        subject: `$SYS.REQ.SERVER.${serverId(server)}.JSZ`,
        requestBody: '{"accounts":true,"streams":true,"consumer":true,"config":true,"raft":true}',
        sentAt: T0,
        durationMs: 5,
        ended: 'all-expected',
        expected: 1,
        replies: [
          refused[server.name] !== undefined
            ? { latencyMs: 5, receivedAt: T0 + 5, wireBytes: 100, decodeError: refused[server.name] }
            : {
                latencyMs: 5,
                receivedAt: T0 + 5,
                wireBytes: 100,
                body: jsz(server, { meta: { leader: 'n1', clusterSize: 3 }, streams: streamsOf(server) }).replaceAll('"@midpoint0"', `"${new Date(T0 + 2).toISOString()}"`),
              },
        ],
      };
      return { ...v, requests: [...v.requests, detail] };
    }),
  };
}

describe('observe with JSZ detail asked of each server once', () => {
  it('reads groups from the reply that lists streams, though a summary without them arrived later', () => {
    // Act
    const o = observe(perServerSample());

    // Assess
    expect(o.groups.map((g) => `${g.stream}@${g.leader}`).sort()).toEqual(['N1_S01@n1', 'N1_S02@n1', 'N2_S01@n2', 'N2_S02@n2', 'N3_S01@n3', 'N3_S02@n3']);
    expect(o.groups.every((g) => g.reportedBy === g.leader)).toBe(true);
    expect(o.problems).toEqual([]);
  });

  it('names the server of a refused detail reply from the subject it was asked on', () => {
    // Prepare
    const problem = 'gzip body inflates beyond the 67108864-byte cap';

    // Act
    const o = observe(perServerSample({ n2: problem }));
    const drafts = judge(defaultRegistry(), { observation: o, history: [] }, { skip: new Set(), thresholds: {} }).drafts;

    // Assess
    expect(o.problems).toEqual([{ server: 'n2', vantage: 'nats://n2:4222', endpoint: 'JSZ', problem }]);
    expect(drafts.find((d) => d.check === 'server_reply_invalid')?.summary).toBe(`n2's JSZ reply could not be used: ${problem}`);
  });

  it('still takes identity and the meta view from the freshest reply, and hears every server through every vantage', () => {
    // Act
    const o = observe(perServerSample());

    // Assess
    expect(o.servers.map((s) => [s.name, s.meta?.leader, s.heardVia.length])).toEqual([
      ['n1', 'n1', 3],
      ['n2', 'n1', 3],
      ['n3', 'n1', 3],
    ]);
    expect(o.vantages.map((v) => v.heard)).toEqual([all.map((s) => s.name), all.map((s) => s.name), all.map((s) => s.name)]);
  });
});
