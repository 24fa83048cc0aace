import { describe, expect, it } from 'vitest';
import { observe } from '../../lib/observation/observe.js';
import { healthyReplies, jsz, routez, sample, servers } from '../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

describe('observe', () => {
  it('merges one server heard through several vantages: freshest JSZ wins, fastest latency, every vantage listed', () => {
    // Prepare: n1's reply through n2's vantage arrives later and already says n2 (mid-election).
    const o = observe(
      sample({
        replies: healthyReplies(),
        vantages: [
          { via: 'n1', hears: ['n1', 'n2', 'n3'] },
          { via: 'n2', hears: ['n1', 'n2', 'n3'], delayMs: 30, replies: { n1: { jsz: jsz(n1, { meta: { leader: 'n2' } }) } } },
        ],
      }),
    );

    // Assess
    const first = o.servers.find((s) => s.name === 'n1');
    expect(first).toMatchObject({ meta: { leader: 'n2' }, latencyMs: 4, heardVia: ['nats://n1:4222', 'nats://n2:4222'] });
    expect(o.servers).toHaveLength(3);
  });

  it('records what each vantage heard: a partition shows as different sets', () => {
    // Act
    const o = observe(sample({ replies: healthyReplies(), vantages: [{ via: 'n1', hears: ['n1'] }, { via: 'n2', hears: ['n2', 'n3'] }] }));

    // Assess
    expect(o.vantages).toEqual([
      { url: 'nats://n1:4222', connected: true, serverName: 'n1', error: undefined, heard: ['n1'], jszEnded: 'deadline', failedRequests: [] },
      { url: 'nats://n2:4222', connected: true, serverName: 'n2', error: undefined, heard: ['n2', 'n3'], jszEnded: 'deadline', failedRequests: [] },
    ]);
  });

  it('expects --expect-servers, else the largest cluster_size, else the number that answered', () => {
    // Prepare
    const bigger = { n1: { jsz: jsz(n1, { meta: { leader: 'n1', clusterSize: 5 } }) } };
    const standalone = { solo: { jsz: jsz({ name: 'solo', cluster: null }) } };

    // Act / Assess
    expect(observe(sample({ replies: healthyReplies(), expectServers: 4 })).expectedServerCount).toBe(4);
    expect(observe(sample({ replies: bigger })).expectedServerCount).toBe(5);
    expect(observe(sample({ replies: standalone })).expectedServerCount).toBe(1);
  });

  it('ignores the 503 no-responders status and turns unreadable replies into problems', () => {
    // Prepare: RAFTZ gets a 503 (2.9); n3's JSZ is not JSON.
    const o = observe(sample({ replies: { ...healthyReplies(), n3: { jsz: 'not json' } }, vantages: [{ via: 'n1', hears: ['n1', 'n2', 'n3'] }] }));

    // Assess
    expect(o.servers.map((s) => s.name)).toEqual(['n1', 'n2']);
    expect(o.problems).toEqual([
      { server: undefined, vantage: 'nats://n1:4222', endpoint: 'JSZ', problem: expect.stringMatching(/^reply is not JSON: /) },
    ]);
  });

  it('keeps a route to a server that never answered as its id, and names it when a reply does', () => {
    // Prepare: n1 routes to n2 (answers) and to a ghost id; n2's route names are missing (2.9.10).
    const ghost = { name: 'ghost', id: 'NGHOST' };
    const o = observe(
      sample({
        replies: {
          n1: { jsz: jsz(n1, { meta: { leader: 'n1' } }), routez: routez(n1, [n2, ghost], { names: false }) },
          n2: { jsz: jsz(n2, { meta: { leader: 'n1' } }), routez: routez(n2, [n1, n3]) },
        },
      }),
    );

    // Assess
    expect(o.servers.find((s) => s.name === 'n1')?.routes).toEqual(['NGHOST', 'n2']);
    expect(o.knownServerNames).toEqual(['n1', 'n2', 'n3']);
  });

  it('a silent cluster observes nothing, without throwing', () => {
    // Act
    const o = observe(sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'unreachable', message: 'refused' } }] }));

    // Assess
    expect(o).toMatchObject({ servers: [], groups: [], problems: [], knownServerNames: [], expectedServerCount: 0 });
  });

  it("never takes a replicated group for an R1 asset from a replica that names itself leader and lists no peers (no Raft node yet)", () => {
    // Prepare: in either order of replies, n3's replica of ORDERS has no Raft node yet, so its view
    // names n3 leader and lists no peers; n2 leads ORDERS and its consumer worker has no leader yet.
    const noNodeYet = { name: 'ORDERS', leader: 'n3', consumers: [{ name: 'worker', leader: 'n3' }] };
    const led = { name: 'ORDERS', leader: 'n2', replicas: ['n1', 'n3'], consumers: [{ name: 'worker', replicas: ['n1', 'n2', 'n3'] }] };
    const replies = (order: readonly string[]) =>
      healthyReplies({ names: order, streams: { n2: [led], n3: [noNodeYet] } });

    for (const order of [['n3', 'n2', 'n1'], ['n1', 'n2', 'n3']]) {
      // Act
      const o = observe(sample({ replies: replies(order) }));

      // Assess
      const groups = o.groups.map(({ kind, consumer, leader, replicas }) => ({ kind, consumer, leader, peers: replicas.length }));
      expect(groups, order.join(',')).toEqual([
        { kind: 'stream', consumer: undefined, leader: 'n2', peers: 2 },
        { kind: 'consumer', consumer: 'worker', leader: undefined, peers: 3 },
      ]);
    }
  });
});
