import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_PROBLEM_CHARS,
  parseJszReply,
  parseRaftzReply,
  parseRoutezReply,
  parseServerTime,
  type ParsedReply,
  type ServerInfo,
  type StreamView,
} from '../../lib/replies/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/replies/${name}`, import.meta.url), 'utf8');
}

function expectOk<T>(parsed: ParsedReply<T>): { readonly server: ServerInfo; readonly data: T } {
  if (!parsed.ok) throw new Error(`expected a parsed reply, got problem: ${parsed.problem}`);
  return parsed;
}

function expectProblem<T>(parsed: ParsedReply<T>): Extract<ParsedReply<T>, { ok: false }> {
  if (parsed.ok) throw new Error('expected a problem, the reply parsed');
  return parsed;
}

function streamNamed(streams: readonly StreamView[], name: string): StreamView {
  const stream = streams.find((candidate) => candidate.name === name);
  if (stream === undefined) throw new Error(`no stream ${name}`);
  return stream;
}

/** A valid envelope around `data`, as text. */
function envelope(data: string, server = '{"name":"s1","host":"127.0.0.1","id":"NS1","ver":"2.9.10","seq":1,"jetstream":true,"time":"2026-01-01T00:00:00Z"}'): string {
  return `{"server":${server},"data":${data}}`;
}

const SERVER_S1: ServerInfo = {
  name: 's1',
  host: '127.0.0.1',
  id: 'NS1',
  version: '2.9.10',
  jetstream: true,
  time: Date.UTC(2026, 0, 1),
};

describe('JSZ replies recorded from nats-server 2.9.10', () => {
  it('reads the meta leader: envelope, meta replicas, stream and consumer groups', () => {
    // Prepare
    const body = fixture('jsz-2.9.10-meta-leader.json');

    // Act
    const { server, data } = expectOk(parseJszReply(body));

    // Assess
    expect(server).toEqual({
      name: 'n2',
      host: '127.0.0.1',
      id: 'NCV3FUFYIWFJ7H64NGQXIXYMYB7UZJX4I4WWGCS7XKCJF7FGAIZBFOK2',
      cluster: 'capc',
      version: '2.9.10',
      jetstream: true,
      time: Date.parse('2026-11-23T14:27:45.566Z'),
    });
    expect(data.disabled).toBe(false);
    expect(data.meta).toEqual({
      name: 'capc',
      leader: 'n2',
      peer: '44jzkV9D',
      clusterSize: 3,
      replicas: [
        { name: 'n1', current: true, activeNs: 776427322, peer: 'fjFyEjc1' },
        { name: 'n3', current: true, activeNs: 776416101, peer: 'BXScrY9i' },
      ],
    });
    expect(data.meta?.pending).toBeUndefined();
    expect(data.streamsLeader).toBeUndefined();
    expect(data.consumersLeader).toBeUndefined();
    expect(data.streams.map((stream) => stream.name)).toEqual(['EVENTS', 'ORDERS']);
    const orders = streamNamed(data.streams, 'ORDERS');
    expect(orders).toEqual({
      account: 'APP',
      accountId: 'APP',
      name: 'ORDERS',
      created: '2026-11-23T14:27:42.759783529Z',
      state: { messages: 5, bytes: 210, lastSeq: 5 },
      cluster: {
        name: 'capc',
        leader: 'n3',
        replicas: [
          { name: 'n1', current: false, activeNs: 0, lag: 6, peer: 'fjFyEjc1' },
          { name: 'n3', current: true, activeNs: 457246093, lag: 6, peer: 'BXScrY9i' },
        ],
      },
      consumers: [
        {
          name: 'shipper',
          created: '2026-11-23T14:27:43.499840311Z',
          deliveredStreamSeq: 0,
          ackFloorStreamSeq: 0,
          cluster: {
            name: 'capc',
            leader: 'n2',
            replicas: [
              { name: 'n1', current: true, activeNs: 523688643, peer: 'fjFyEjc1' },
              { name: 'n3', current: true, activeNs: 523585459, peer: 'BXScrY9i' },
            ],
          },
        },
      ],
    });
    expect(streamNamed(data.streams, 'EVENTS').consumers).toEqual([]);
    expect(data.now).toBe(Date.parse('2026-11-23T14:27:45.566Z'));
  });

  it('reads a meta follower: no meta replicas, an R1 stream without replicas', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.9.10-follower.json')));

    // Assess
    expect(server.name).toBe('n1');
    expect(data.meta).toEqual({ name: 'capc', leader: 'n2', peer: '44jzkV9D', clusterSize: 3 });
    expect(data.meta?.replicas).toBeUndefined();
    expect(data.streams).toHaveLength(3);
    expect(streamNamed(data.streams, 'SCRATCH')).toEqual({
      account: 'APP',
      accountId: 'APP',
      name: 'SCRATCH',
      created: '2026-11-23T14:27:43.495560785Z',
      state: { messages: 1, bytes: 40, lastSeq: 1 },
      cluster: { name: 'capc', leader: 'n1', replicas: [] },
      consumers: [],
    });
    expect(streamNamed(data.streams, 'ORDERS').cluster?.leader).toBe('n3');
  });

  it('reads the stream leader, whose view of its groups is current', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.9.10-stream-leader.json')));

    // Assess
    expect(server.name).toBe('n3');
    const orders = streamNamed(data.streams, 'ORDERS');
    expect(orders.cluster?.leader).toBe('n3');
    expect(orders.cluster?.replicas.map((peer) => [peer.name, peer.current])).toEqual([
      ['n1', true],
      ['n2', true],
    ]);
    expect(orders.consumers[0]?.cluster?.leader).toBe('n2');
    expect(streamNamed(data.streams, 'EVENTS').cluster?.replicas[1]).toEqual({
      name: 'n2',
      current: true,
      activeNs: 70944422,
      peer: '44jzkV9D',
    });
  });

  it('reads a server that lost quorum: no leaders, meta peer is the hash of an empty name', () => {
    // Act
    const { data } = expectOk(parseJszReply(fixture('jsz-2.9.10-no-quorum.json')));

    // Assess
    expect(data.meta).toEqual({ name: 'capc', peer: 'fqA4S4SK', clusterSize: 3 });
    expect(data.meta?.leader).toBeUndefined();
    const orders = streamNamed(data.streams, 'ORDERS');
    expect(orders.cluster?.leader).toBeUndefined();
    expect(orders.cluster?.replicas.map((peer) => peer.name)).toEqual(['n1', 'n2', 'n3']);
    expect(orders.cluster?.replicas[0]?.activeNs).toBe(38245355122);
    expect(orders.consumers[0]?.cluster?.leader).toBeUndefined();
    expect(streamNamed(data.streams, 'SCRATCH').cluster?.leader).toBe('n1');
  });

  it('reads a server without JetStream as disabled', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.9.10-jetstream-disabled.json')));

    // Assess
    expect(server.name).toBe('solo-nojs');
    expect(server.jetstream).toBe(false);
    expect(server.cluster).toBeUndefined();
    expect(data).toEqual({ disabled: true, streams: [], hostedStreams: 0, hostedConsumers: 0, hasDetail: false, now: Date.parse('2026-11-23T14:28:32.393Z') });
  });

  it('reads a standalone JetStream server: enabled, no meta group', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.9.10-standalone.json')));

    // Assess
    expect(server.name).toBe('solo-js');
    expect(data.disabled).toBe(false);
    expect(data.meta).toBeUndefined();
    expect(data.streams).toEqual([]);
  });

  it('reports the error a server sent for a malformed request, naming the server', () => {
    // Act
    const parsed = expectProblem(parseJszReply(fixture('jsz-2.9.10-bad-request.json')));

    // Assess
    expect(parsed.server?.name).toBe('n1');
    expect(parsed.error).toEqual({
      code: 400,
      description: "invalid character 'n' looking for beginning of object key string",
    });
    expect(parsed.problem).toBe(
      "server answered with error 400: invalid character 'n' looking for beginning of object key string",
    );
  });

  it('keeps uint64-max counters from the recorded text', () => {
    // Prepare
    const body = fixture('jsz-2.9.10-meta-leader.json');

    // Act
    const parsed = parseJszReply(body);

    // Assess
    expect(body).toContain('"reserved_memory":18446744073709551615');
    expect(parsed.ok).toBe(true);
  });
});

describe('JSZ replies of 2.10, 2.11 and 2.12 shapes', () => {
  it('2.10.20: account name tag and id, raft group fields ignored, no meta pending', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.10.20-follower.json')));

    // Assess
    expect(server).toMatchObject({ name: 'nats-b', version: '2.10.20', time: Date.parse('2025-03-03T10:00:02.500Z') });
    expect(data.meta).toEqual({ name: 'east', leader: 'nats-a', peer: 'O6hsrBmD', clusterSize: 3 });
    expect(data.streams).toEqual([
      {
        account: 'orders',
        accountId: 'ACZSWBJ4SYILK7QVDELO64VX3EFWB6CXCPMEBN3PDTVNRHY3VKMGUPZN',
        name: 'ORDERS',
        created: '2025-03-01T08:00:00.000000001Z',
        state: { messages: 120, bytes: 5040, lastSeq: 120 },
        cluster: {
          name: 'east',
          leader: 'nats-c',
          replicas: [
            { name: 'nats-a', current: false, activeNs: 0, lag: 3, peer: 'O6hsrBmD' },
            { name: 'nats-c', current: true, activeNs: 88123456, peer: 'iQ2ywKPZ' },
          ],
        },
        consumers: [
          {
            name: 'shipper',
            created: '2025-03-01T08:00:01Z',
            deliveredStreamSeq: 10,
            ackFloorStreamSeq: 10,
            cluster: {
              name: 'east',
              leader: 'nats-b',
              replicas: [
                { name: 'nats-a', current: true, activeNs: 51234567, peer: 'O6hsrBmD' },
                { name: 'nats-c', current: true, activeNs: 51200000, peer: 'iQ2ywKPZ' },
              ],
            },
          },
        ],
      },
    ]);
    expect(data.streams[0]?.cluster).not.toHaveProperty('raft_group');
  });

  it('2.10.29: meta pending, an offline replica', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.10.29-meta-leader.json')));

    // Assess
    expect(server.time).toBe(Date.parse('2025-06-11T14:42:07.000Z'));
    expect(data.meta?.pending).toBe(3);
    expect(data.meta?.leader).toBe('nats-a');
    expect(data.meta?.replicas).toEqual([
      { name: 'nats-b', current: true, activeNs: 254117690, peer: 'F526168B' },
      { name: 'nats-c', current: false, offline: true, activeNs: 14051231998, peer: 'iQ2ywKPZ' },
    ]);
    const kv = streamNamed(data.streams, 'KV_config');
    expect(kv.cluster?.replicas[1]).toEqual({
      name: 'nats-c',
      current: false,
      offline: true,
      activeNs: 14051231998,
      lag: 18,
      peer: 'iQ2ywKPZ',
    });
  });

  it('2.11.12: server-side leader counts, an unnamed peer, an R1 stream', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.11.12-raft.json')));

    // Assess
    expect(server.name).toBe('nats-c');
    expect(server.time).toBe(Date.parse('2025-11-20T07:15:00.987Z'));
    expect(data.streamsLeader).toBe(2);
    expect(data.consumersLeader).toBe(1);
    expect(data.apiLevel).toBe(1);
    expect(data.meta).toEqual({ name: 'east', leader: 'nats-a', peer: 'O6hsrBmD', clusterSize: 3, pending: 0 });
    const events = streamNamed(data.streams, 'EVENTS');
    expect(events.cluster?.leader).toBe('nats-c');
    expect(events.cluster?.replicas[1]).toEqual({
      name: 'Server name unknown at this time (peerID: 3JdJR0O6)',
      current: false,
      offline: true,
      activeNs: 0,
      peer: '3JdJR0O6',
    });
    expect(events.consumers).toEqual([
      {
        name: 'indexer',
        created: '2025-11-19T00:00:01Z',
        deliveredStreamSeq: 10,
        ackFloorStreamSeq: 10,
        cluster: {
          name: 'east',
          leader: 'nats-c',
          replicas: [
            { name: 'nats-a', current: true, activeNs: 97000000, peer: 'O6hsrBmD' },
            { name: 'nats-b', current: true, activeNs: 96000000, peer: 'F526168B' },
          ],
        },
      },
    ]);
    expect(streamNamed(data.streams, 'SCRATCH')).toMatchObject({
      cluster: { name: 'east', leader: 'nats-c', replicas: [] },
    });
  });

  it('2.12.15: consumers_leader omitted when zero, direct consumers not listed', () => {
    // Act
    const { server, data } = expectOk(parseJszReply(fixture('jsz-2.12.15-raft.json')));

    // Assess
    expect(server).toMatchObject({ name: 'nats-a', version: '2.12.15', cluster: 'east' });
    expect(data.streamsLeader).toBe(1);
    expect(data.consumersLeader).toBeUndefined();
    expect(data.apiLevel).toBe(2);
    expect(data.meta?.replicas?.map((peer) => peer.name)).toEqual(['nats-b', 'nats-c']);
    const orders = streamNamed(data.streams, 'ORDERS');
    expect(orders.cluster?.leader).toBe('nats-a');
    expect(orders.consumers.map((consumer) => [consumer.name, consumer.cluster?.leader])).toEqual([
      ['billing', 'nats-b'],
    ]);
    expect(streamNamed(data.streams, 'AUDIT').cluster?.replicas[0]).toEqual({
      name: 'nats-b',
      current: false,
      activeNs: 0,
      lag: 2,
      peer: 'F526168B',
    });
  });
});

describe('the JetStream API level', () => {
  it('is absent before 2.11, whose api block has no level', () => {
    expect(expectOk(parseJszReply(fixture('jsz-2.9.10-meta-leader.json'))).data.apiLevel).toBeUndefined();
  });

  it('is no level when odd, without refusing the reply: only step-down placement reads it', () => {
    for (const api of ['{"level":-1}', '{"level":1.5}', '{"level":"2"}', '7', 'null']) {
      expect(expectOk(parseJszReply(envelope(`{"config":{},"api":${api}}`))).data.apiLevel).toBeUndefined();
    }
  });
});

describe('ROUTEZ replies', () => {
  it('2.9.10 (recorded): remote ids only', () => {
    // Act
    const { server, data } = expectOk(parseRoutezReply(fixture('routez-2.9.10.json')));

    // Assess
    expect(server.name).toBe('n1');
    expect(data.routes).toEqual([
      { remoteId: 'NCV3FUFYIWFJ7H64NGQXIXYMYB7UZJX4I4WWGCS7XKCJF7FGAIZBFOK2', didSolicit: true, ip: '127.0.0.1', port: 25622 },
      { remoteId: 'NALMILAZRZG6A3LEE55XPB4LXLP4HXI7DOAJJRJD3IHS2KRWDTEHOCBR', didSolicit: true, ip: '127.0.0.1', port: 25623 },
    ]);
  });

  it('2.10.29: remote names, pooled and account-pinned routes to the same remote', () => {
    // Act
    const { data } = expectOk(parseRoutezReply(fixture('routez-2.10.29.json')));

    // Assess
    expect(data.routes).toHaveLength(7);
    expect(new Set(data.routes.map((route) => route.remoteName))).toEqual(new Set(['nats-b', 'nats-c']));
    expect(data.routes.filter((route) => route.remoteName === 'nats-b')).toHaveLength(4);
    expect(data.routes[1]).toEqual({
      remoteId: 'NDHZ7LZTKOAQ3KQJXTB5CZK6GEBD5M3NJ4ZZ2W3XGY5NKTRCQ4EMXJLM',
      remoteName: 'nats-b',
      didSolicit: false,
      ip: '10.0.0.12',
      port: 41012,
    });
  });

  it('2.12.15: six pooled routes', () => {
    // Act
    const { server, data } = expectOk(parseRoutezReply(fixture('routez-2.12.15.json')));

    // Assess
    expect(server.version).toBe('2.12.15');
    expect(data.routes.map((route) => route.remoteName)).toEqual(['nats-b', 'nats-b', 'nats-b', 'nats-c', 'nats-c', 'nats-c']);
  });

  it('treats null routes as none', () => {
    // Act
    const { data } = expectOk(parseRoutezReply(envelope('{"num_routes":0,"routes":null}')));

    // Assess
    expect(data.routes).toEqual([]);
  });
});

describe('RAFTZ replies', () => {
  it('2.10.29 follower: term, leader peer, own peer named from the envelope', () => {
    // Act
    const { server, data } = expectOk(parseRaftzReply(fixture('raftz-2.10.29-follower.json')));

    // Assess
    expect(server.name).toBe('nats-b');
    expect(data.meta).toEqual({
      term: 4,
      state: 'FOLLOWER',
      leaderPeer: 'O6hsrBmD',
      selfPeer: 'F526168B',
      peerNames: { O6hsrBmD: 'nats-a', iQ2ywKPZ: 'nats-c', F526168B: 'nats-b' },
      committed: 118,
      applied: 118,
    });
  });

  it('2.11.12 leader: leads itself', () => {
    // Act
    const { data } = expectOk(parseRaftzReply(fixture('raftz-2.11.12-leader.json')));

    // Assess
    expect(data.meta).toEqual({
      term: 31,
      state: 'LEADER',
      leaderPeer: 'O6hsrBmD',
      selfPeer: 'O6hsrBmD',
      peerNames: { O6hsrBmD: 'nats-a', F526168B: 'nats-b', iQ2ywKPZ: 'nats-c' },
      committed: 20417,
      applied: 20417,
    });
  });

  it('2.12.15 candidate: no leader, a peer without a name is left out', () => {
    // Act
    const { data } = expectOk(parseRaftzReply(fixture('raftz-2.12.15-candidate.json')));

    // Assess
    expect(data.meta).toEqual({
      term: 9,
      state: 'CANDIDATE',
      selfPeer: 'iQ2ywKPZ',
      peerNames: { O6hsrBmD: 'nats-a', iQ2ywKPZ: 'nats-c' },
      committed: 1301,
      applied: 1301,
    });
    expect(data.meta?.leaderPeer).toBeUndefined();
  });

  it('has no meta view when data is null or holds no _meta_ group', () => {
    // Act
    const nullData = expectOk(parseRaftzReply(envelope('null')));
    const noMeta = expectOk(parseRaftzReply(envelope('{"APP":{"S-R3F-abc":{"id":"x","state":"LEADER","term":"not checked"}}}')));
    const empty = expectOk(parseRaftzReply(envelope('{}')));

    // Assess
    expect(nullData.data.meta).toBeUndefined();
    expect(noMeta.data.meta).toBeUndefined();
    expect(empty.data.meta).toBeUndefined();
  });

  it('names the path of a bad meta group field', () => {
    // Act
    const parsed = expectProblem(parseRaftzReply(envelope('{"$SYS":{"_meta_":{"id":"a","state":"LEADER","term":"7","peers":{}}}}')));

    // Assess
    expect(parsed.problem).toBe('data.$SYS._meta_.term: expected a number, got string');
    expect(parsed.server).toEqual(SERVER_S1);
  });
});

describe('bad replies never throw', () => {
  it('reports a body that is not JSON', () => {
    // Act
    const parsed = expectProblem(parseJszReply('this is not json'));

    // Assess
    expect(parsed.problem).toMatch(/^reply is not JSON: /);
    expect(parsed.server).toBeUndefined();
    expect(parsed.problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
  });

  it.each([
    ['[]', 'array'],
    ['"text"', 'string'],
    ['null', 'null'],
    ['42', 'number'],
    ['true', 'boolean'],
  ])('reports JSON %s that is not an object', (body, kind) => {
    // Act
    const parsed = expectProblem(parseRoutezReply(body));

    // Assess
    expect(parsed.problem).toBe(`reply is not a JSON object (got ${kind})`);
  });

  it('reports an empty body and a body that is not text', () => {
    // Act
    const empty = expectProblem(parseJszReply(''));
    const notText = expectProblem(parseJszReply(undefined as unknown as string));

    // Assess
    expect(empty.problem).toMatch(/^reply is not JSON/);
    expect(notText.problem).toBe('reply body is not text (got undefined)');
  });

  it('reports an error envelope whose data is null, keeping the server', () => {
    // Prepare
    const body =
      '{"server":{"name":"s1","host":"127.0.0.1","id":"NS1","ver":"2.9.10","seq":1,"jetstream":true,"time":"2026-01-01T00:00:00Z"},"data":null,"error":{"code":500,"description":"jetstream not enabled"}}';

    // Act
    const parsed = expectProblem(parseJszReply(body));

    // Assess
    expect(parsed).toEqual({
      ok: false,
      server: SERVER_S1,
      error: { code: 500, description: 'jetstream not enabled' },
      problem: 'server answered with error 500: jetstream not enabled',
    });
  });

  it('reports an error without description and a malformed error block', () => {
    // Act
    const bare = expectProblem(parseJszReply('{"server":{"name":"s1","id":"NS1","ver":"2.9.10"},"error":{"code":503}}'));
    const malformed = expectProblem(parseJszReply('{"server":{"name":"s1","id":"NS1","ver":"2.9.10"},"error":"boom"}'));

    // Assess
    expect(bare.error).toEqual({ code: 503, description: '' });
    expect(bare.problem).toBe('server answered with error 503');
    expect(malformed.error).toBeUndefined();
    expect(malformed.server?.name).toBe('s1');
    expect(malformed.problem).toBe('error: expected an object, got string');
  });

  it('names the field path and type of bad data, keeping the server', () => {
    // Act
    const parsed = expectProblem(parseJszReply(envelope('{"config":{},"meta_cluster":{"leader":"s1","cluster_size":"3"}}')));

    // Assess
    expect(parsed.problem).toBe('data.meta_cluster.cluster_size: expected a number, got string');
    expect(parsed.server).toEqual(SERVER_S1);
    expect(parsed.error).toBeUndefined();
  });

  it('names array indexes in the path', () => {
    // Prepare
    const data =
      '{"config":{},"account_details":[{"name":"A","stream_detail":[{"name":"S0"},{"name":7,"cluster":{"replicas":[{"name":"x","current":"yes"}]}}]}]}';

    // Act
    const parsed = expectProblem(parseJszReply(envelope(data)));

    // Assess
    expect(parsed.problem).toBe(
      'data.account_details[0].stream_detail[1].name: expected a string, got number; ' +
        'data.account_details[0].stream_detail[1].cluster.replicas[0].current: expected a boolean, got string',
    );
  });

  it('reports missing and null data', () => {
    // Act
    const missing = expectProblem(parseJszReply('{"server":{"name":"s1","id":"NS1","ver":"2.9.10"}}'));
    const nullData = expectProblem(parseJszReply(envelope('null')));
    const routezMissing = expectProblem(parseRoutezReply('{"server":{"name":"s1","id":"NS1","ver":"2.9.10"}}'));

    // Assess
    expect(missing.problem).toBe('data: missing, expected an object');
    expect(missing.server?.name).toBe('s1');
    expect(nullData.problem).toBe('data: expected an object, got null');
    expect(routezMissing.problem).toBe('data: missing, expected an object');
  });

  it('reports a missing server block without a server, even when data is fine', () => {
    // Act
    const parsed = expectProblem(parseJszReply('{"data":{"config":{}}}'));

    // Assess
    expect(parsed.server).toBeUndefined();
    expect(parsed.problem).toBe('server: missing, expected an object');
  });

  it('reports an ill-typed server block field by field', () => {
    // Act
    const parsed = expectProblem(parseJszReply('{"server":{"name":5,"id":"NS1","jetstream":"yes"},"data":{"config":{}}}'));

    // Assess
    expect(parsed.server).toBeUndefined();
    expect(parsed.problem).toBe(
      'server.name: expected a string, got number; server.ver: missing, expected a string; server.jetstream: expected a boolean, got string',
    );
  });

  it('reports a server time that is not RFC 3339', () => {
    // Act
    const parsed = expectProblem(parseJszReply(envelope('{"config":{}}', '{"name":"s1","id":"NS1","ver":"2.9.10","time":"yesterday"}')));

    // Assess
    expect(parsed.problem).toBe('server.time: expected an RFC 3339 timestamp');
  });

  it('lists at most three issues and counts the rest', () => {
    // Prepare
    const streams = Array.from({ length: 5 }, () => '{"name":false}').join(',');

    // Act
    const parsed = expectProblem(parseJszReply(envelope(`{"account_details":[{"name":"A","stream_detail":[${streams}]}]}`)));

    // Assess
    expect(parsed.problem).toBe(
      'data.account_details[0].stream_detail[0].name: expected a string, got boolean; ' +
        'data.account_details[0].stream_detail[1].name: expected a string, got boolean; … and 3 more',
    );
    expect(parsed.problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
  });

  it('spells out three short issues and counts the rest', () => {
    // Act
    const parsed = expectProblem(parseRoutezReply(envelope('{"routes":[{},{},{},{},{}]}')));

    // Assess
    expect(parsed.problem).toBe(
      'data.routes[0].remote_id: missing, expected a string; data.routes[1].remote_id: missing, expected a string; ' +
        'data.routes[2].remote_id: missing, expected a string; … and 2 more',
    );
  });

  it('keeps the count when even the first issue is too long', () => {
    // Prepare
    const account = 'A'.repeat(300);

    // Act
    const parsed = expectProblem(parseRaftzReply(envelope(`{"${account}":{"_meta_":{"state":1}}}`)));

    // Assess
    expect(parsed.problem).toHaveLength(MAX_PROBLEM_CHARS);
    expect(parsed.problem).toMatch(/^data\.AAAA.*…; … and 2 more$/);
  });

  it('clips a long problem to the limit', () => {
    // Prepare
    const description = 'x'.repeat(5000);

    // Act
    const parsed = expectProblem(parseJszReply(`{"server":{"name":"s1","id":"NS1","ver":"2.9.10"},"error":{"code":500,"description":"${description}"}}`));

    // Assess
    expect(parsed.problem).toHaveLength(MAX_PROBLEM_CHARS);
    expect(parsed.problem.endsWith('…')).toBe(true);
    expect(parsed.error?.description).toHaveLength(5000);
  });

  it('says what arrived when a number is out of range', () => {
    // Act
    const parsed = expectProblem(parseJszReply(envelope('{"config":{},"meta_cluster":{"cluster_size":1e400}}')));

    // Assess
    expect(parsed.problem).toBe('data.meta_cluster.cluster_size: expected a number, got Infinity');
  });

  it.each([
    '{',
    '{"server":null,"data":null,"error":null}',
    '{"server":[],"data":[]}',
    '{"server":{"name":"a","id":"b","ver":"c"},"data":{"account_details":{"0":{}}}}',
    '{"server":{"name":"a","id":"b","ver":"c"},"data":{"meta_cluster":[]}}',
    '{"server":{"name":"a","id":"b","ver":"c"},"data":{"account_details":[null]}}',
    '{"server":{"name":"a","id":"b","ver":"c"},"data":{"__proto__":{"disabled":true}}}',
    `{"server":{"name":"a","id":"b","ver":"c"},"data":{"config":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    `{"server":{"name":"a","id":"b","ver":"c"},"data":{"meta_cluster":{"name":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}}`,
    `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
  ])('returns a result for hostile input %#', (body) => {
    // Act
    const results = [parseJszReply(body), parseRoutezReply(body), parseRaftzReply(body)];

    // Assess
    for (const result of results) {
      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) expect(result.problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
    }
  });
});

describe('values at the edges', () => {
  it('accepts uint64-max counters as the nearest double', () => {
    // Prepare
    const data =
      '{"config":{},"meta_cluster":{"leader":"s1","cluster_size":3,"pending":18446744073709551615,"replicas":[{"name":"s2","current":true,"active":18446744073709551615,"lag":18446744073709551615,"peer":"p2"}]},' +
      '"reserved_memory":18446744073709551615}';

    // Act
    const { data: jsz } = expectOk(parseJszReply(envelope(data)));
    const { data: raftz } = expectOk(
      parseRaftzReply(envelope('{"SYS":{"_meta_":{"id":"p1","state":"FOLLOWER","term":18446744073709551615,"committed":18446744073709551615,"peers":{}}}}')),
    );

    // Assess
    expect(jsz.meta?.pending).toBe(18446744073709552000);
    expect(jsz.meta?.replicas?.[0]?.lag).toBe(18446744073709552000);
    expect(jsz.meta?.replicas?.[0]?.activeNs).toBe(18446744073709552000);
    expect(raftz.meta?.term).toBe(18446744073709552000);
    expect(raftz.meta?.committed).toBe(18446744073709552000);
  });

  it('ignores unknown fields at every level', () => {
    // Prepare
    const plain =
      '{"config":{},"meta_cluster":{"leader":"s1","cluster_size":3},"account_details":[{"name":"A","stream_detail":[{"name":"S","cluster":{"leader":"s1","replicas":[{"name":"s2","current":true,"active":1,"peer":"p2"}]},"consumer_detail":[{"name":"C"}]}]}]}';
    const noisy =
      '{"future":{"x":[1,2]},"config":{"new_knob":true},"meta_cluster":{"leader":"s1","cluster_size":3,"snapshot":{"pending_entries":1},"quorum":"maybe"},' +
      '"account_details":[{"name":"A","tier":"gold","stream_detail":[{"name":"S","cluster":{"leader":"s1","leader_since":"2026-01-01T00:00:00Z","raft_group":"S-R3F-1","replicas":[{"name":"s2","current":true,"active":1,"peer":"p2","zone":"b"}]},' +
      '"consumer_detail":[{"name":"C","paused":true,"priority_groups":[]}],"direct_consumer_detail":[{"name":"D"}],"stream_raft_group":"S-R3F-1"}]}]}';
    const noisyServer =
      '{"name":"s1","host":"127.0.0.1","id":"NS1","ver":"2.9.10","seq":1,"jetstream":true,"time":"2026-01-01T00:00:00Z","flags":3,"metadata":{"az":"a"},"tags":["x"]}';

    // Act
    const expected = expectOk(parseJszReply(envelope(plain)));
    const actual = expectOk(parseJszReply(`{"extra":1,"server":${noisyServer},"data":${noisy}}`));

    // Assess
    expect(actual).toEqual(expected);
    expect(actual.server).toEqual(SERVER_S1);
    expect(Object.keys(actual.data.streams[0]?.cluster ?? {}).sort()).toEqual(['leader', 'name', 'replicas']);
  });

  it('treats empty leader names as no leader', () => {
    // Act
    const { data } = expectOk(
      parseJszReply(envelope('{"config":{},"meta_cluster":{"leader":"","cluster_size":3},"account_details":[{"name":"A","stream_detail":[{"name":"S","cluster":{"leader":""}}]}]}')),
    );

    // Assess
    expect(data.meta?.leader).toBeUndefined();
    expect(data.streams[0]?.cluster).toEqual({ name: undefined, leader: undefined, replicas: [] });
  });

  it('treats JSZ data without meta or config as disabled', () => {
    // Act
    const { data } = expectOk(parseJszReply(envelope('{}')));

    // Assess
    expect(data).toEqual({ disabled: true, streams: [], hasDetail: false });
  });

  it('flattens streams of several accounts, each with its account; a stream config (asked by earlier auditors) is accepted and dropped', () => {
    // Prepare
    const data =
      '{"config":{},"account_details":[{"name":"A","id":"AID","stream_detail":[{"name":"S1"}]},{"name":"B","stream_detail":[{"name":"S2"},{"name":"S3","config":{"num_replicas":5}}]},{"name":"C"}]}';

    // Act
    const { data: jsz } = expectOk(parseJszReply(envelope(data)));

    // Assess
    expect(jsz.streams.map((stream) => [stream.account, stream.accountId, stream.name])).toEqual([
      ['A', 'AID', 'S1'],
      ['B', undefined, 'S2'],
      ['B', undefined, 'S3'],
    ]);
    expect(jsz.streams[2]).not.toHaveProperty('config');
  });

  it('parses a 50k-stream reply', () => {
    // Prepare
    const replicas = [
      { name: 'b', current: true, active: 1, peer: 'pb' },
      { name: 'c', current: true, active: 2, peer: 'pc' },
    ];
    const streams = Array.from({ length: 50_000 }, (_, index) => ({
      name: `S${index}`,
      cluster: { name: 'east', leader: 'a', replicas },
      config: { name: `S${index}`, num_replicas: 3, subjects: [`s.${index}`] },
      state: { messages: 1, bytes: 2 },
      consumer_detail: [{ stream_name: `S${index}`, name: 'C', cluster: { name: 'east', leader: 'b', replicas } }],
    }));
    const body = envelope(JSON.stringify({ config: {}, meta_cluster: { leader: 'a', cluster_size: 3 }, account_details: [{ name: 'A', stream_detail: streams }] }));

    // Act
    const { data } = expectOk(parseJszReply(body));

    // Assess
    expect(data.streams).toHaveLength(50_000);
    expect(data.streams[49_999]).toMatchObject({ name: 'S49999', cluster: { leader: 'a' } });
    expect(data.streams[49_999]?.consumers[0]?.cluster?.leader).toBe('b');
  });
});

describe('parseServerTime', () => {
  it.each([
    ['2026-11-23T14:27:45.566367214Z', Date.parse('2026-11-23T14:27:45.566Z')],
    ['2026-11-23T14:27:45Z', Date.parse('2026-11-23T14:27:45Z')],
    ['2026-11-23T14:27:45.5Z', Date.parse('2026-11-23T14:27:45.500Z')],
    ['2026-11-23T16:27:45.000000001+02:00', Date.parse('2026-11-23T14:27:45Z')],
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('reads %s', (text, epochMs) => {
    // Act / Assess
    expect(parseServerTime(text)).toBe(epochMs);
  });

  it.each(['', 'yesterday', '2026-11-23 14:27:45Z', '2026-11-23T14:27:45', '2026-11-23T14:27:45.1234567890Z', '2026-13-01T00:00:00Z'])(
    'rejects %j',
    (text) => {
      // Act / Assess
      expect(parseServerTime(text)).toBeUndefined();
    },
  );
});

describe('hostile values a server would never send', () => {
  it.each([
    ['a server name of 10k characters', envelope('{"config":{}}', `{"name":"${'n'.repeat(10_000)}","id":"NS1","ver":"2.9.10"}`), 'server.name: longer than 256 characters'],
    ['an empty server name', envelope('{"config":{}}', '{"name":"","id":"NS1","ver":"2.9.10"}'), 'server.name: empty'],
    ['a terminal escape in a server name', envelope('{"config":{}}', '{"name":"n1\\u001b[31m","id":"NS1","ver":"2.9.10"}'), 'server.name: contains control characters'],
    ['a stream name of 300 characters', envelope(`{"config":{},"account_details":[{"name":"A","stream_detail":[{"name":"${'s'.repeat(300)}"}]}]}`), 'data.account_details[0].stream_detail[0].name: longer than 256 characters'],
    ['a meta group of 2^64 servers', envelope('{"config":{},"meta_cluster":{"cluster_size":18446744073709551616}}'), 'data.meta_cluster.cluster_size: above 1000'],
    ['a meta group of 5000 servers', envelope('{"config":{},"meta_cluster":{"cluster_size":5000}}'), 'data.meta_cluster.cluster_size: above 1000'],
    ['a negative meta group size', envelope('{"config":{},"meta_cluster":{"cluster_size":-1}}'), 'data.meta_cluster.cluster_size: expected at least 0'],
    ['half a server', envelope('{"config":{},"meta_cluster":{"cluster_size":2.5}}'), 'data.meta_cluster.cluster_size: expected a whole number'],
    ['a negative leader count', envelope('{"config":{},"streams_leader":-3}'), 'data.streams_leader: expected at least 0'],
  ])('rejects %s, naming the field in our words', (_name, body, problem) => {
    // Act
    const parsed = expectProblem(parseJszReply(body));

    // Assess
    expect(parsed.problem).toBe(problem);
  });

  it('a JSON error quoting control characters of the reply keeps the problem on one line', () => {
    // Act
    const parsed = expectProblem(parseJszReply('{"server":\u001b[2J\n'));

    // Assess
    expect(parsed.problem).toMatch(/^reply is not JSON: /);
    expect(parsed.problem).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('an error text with a terminal escape is shown without it', () => {
    // Act
    const parsed = expectProblem(parseJszReply('{"server":{"name":"s1","id":"NS1","ver":"2.9.10"},"error":{"code":500,"description":"bad\\u001b[2Jthing"}}'));

    // Assess
    expect(parsed.problem).toBe('server answered with error 500: bad\uFFFD[2Jthing');
  });
});
