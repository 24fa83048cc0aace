/**
 * Observations built from the recorded replies in test/fixtures/replies:
 * real 2.9.10 and hand-built 2.10 / 2.11 / 2.12 shapes, then every check run
 * over them. Servers of one version set share a sample; vantages hear all.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { judge } from '../../lib/epoch/judge.js';
import { observe } from '../../lib/observation/observe.js';
import type { Observation, RaftGroup, ServerObservation } from '../../lib/observation/types.js';
import { fullMesh, sample, type ReplySet } from '../support/sample-builder.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/replies/${name}`, import.meta.url), 'utf8');
}

/** Every server heard through every vantage, gathering started at `startedAt` (near the recorded `server.time`). */
function observeFixtures(replies: Record<string, ReplySet>, startedAt: string): Observation {
  return observe(sample({ replies, startedAt: Date.parse(startedAt), vantages: fullMesh(Object.keys(replies)) }));
}

function serverNamed(o: Observation, name: string): ServerObservation {
  const found = o.servers.find((s) => s.name === name);
  if (!found) throw new Error(`no server ${name} in ${o.servers.map((s) => s.name).join(', ')}`);
  return found;
}

function group(o: Observation, stream: string, consumer?: string): RaftGroup {
  const found = o.groups.find((g) => g.stream === stream && g.consumer === consumer);
  if (!found) throw new Error(`no group ${stream}/${consumer ?? ''}`);
  return found;
}

/** Runs every built-in check; returns `check subject severity` per finding and fails on a check error. */
function judgeAll(o: Observation): string[] {
  const { drafts, runs } = judge(defaultRegistry(), { observation: o, history: [] }, { skip: new Set(), thresholds: {} });
  expect(runs.filter((r) => r.outcome === 'error')).toEqual([]);
  expect(runs).toHaveLength(defaultRegistry().all().length);
  return drafts.map((d) => `${d.check} ${d.subject} ${d.severity}${d.escalateWhenPersistent ? ' (critical once persistent)' : ''}`);
}

const v29 = {
  n1: { jsz: fixture('jsz-2.9.10-follower.json'), routez: fixture('routez-2.9.10.json') },
  n2: { jsz: fixture('jsz-2.9.10-meta-leader.json') },
  n3: { jsz: fixture('jsz-2.9.10-stream-leader.json') },
};
const V29_TIME = '2026-11-23T14:27:45.562Z';

describe('observing nats-server 2.9.10 (real replies)', () => {
  it('reads every server’s meta leader view; no terms without RAFTZ', () => {
    // Act
    const o = observeFixtures(v29, V29_TIME);

    // Assess
    expect(o.servers.map((s) => [s.name, s.version, s.cluster, s.meta?.leader, s.metaTerm])).toEqual([
      ['n1', '2.9.10', 'capc', 'n2', undefined],
      ['n2', '2.9.10', 'capc', 'n2', undefined],
      ['n3', '2.9.10', 'capc', 'n2', undefined],
    ]);
    expect(serverNamed(o, 'n2').meta?.replicas?.map((r) => r.name)).toEqual(['n1', 'n3']);
    expect(serverNamed(o, 'n1').meta?.replicas).toBeUndefined();
    expect(o.expectedServerCount).toBe(3);
    expect(o.knownServerNames).toEqual(['n1', 'n2', 'n3']);
    expect(o.problems).toEqual([]);
    expect(o.vantages.map((v) => v.heard)).toEqual([['n1', 'n2', 'n3'], ['n1', 'n2', 'n3'], ['n1', 'n2', 'n3']]);
  });

  it('resolves 2.9.10 routes (remote_id only) to names through the ids of the JSZ replies', () => {
    // Act
    const o = observeFixtures(v29, V29_TIME);

    // Assess
    expect(serverNamed(o, 'n1').routes).toEqual(['n2', 'n3']);
    expect(serverNamed(o, 'n2').routes).toBeUndefined();
  });

  it('merges each group from its leader’s own (fresh) view, whatever order the replies came in', () => {
    // Prepare: n1 and n2 report ORDERS with stale peers (current:false); n3, its leader, has the fresh view.
    const reversed = { n3: v29.n3, n2: v29.n2, n1: v29.n1 };

    for (const replies of [v29, reversed]) {
      // Act
      const o = observeFixtures(replies, V29_TIME);

      // Assess
      expect(group(o, 'ORDERS')).toMatchObject({
        kind: 'stream',
        account: 'APP',
        cluster: 'capc',
        leader: 'n3',
        reportedBy: 'n3',
        replicas: [
          { name: 'n1', current: true },
          { name: 'n2', current: true },
        ],
      });
      expect(group(o, 'EVENTS')).toMatchObject({ leader: 'n3', reportedBy: 'n3' });
      expect(group(o, 'ORDERS', 'shipper')).toMatchObject({
        kind: 'consumer',
        leader: 'n2',
        reportedBy: 'n2',
        replicas: [
          { name: 'n1', current: true },
          { name: 'n3', current: true },
        ],
      });
      expect(group(o, 'SCRATCH')).toMatchObject({ leader: 'n1', replicas: [], reportedBy: 'n1' });
      expect(o.groups).toHaveLength(4);
    }
  });

  it('a healthy 2.9.10 cluster passes every check', () => {
    expect(judgeAll(observeFixtures(v29, V29_TIME))).toEqual([]);
  });

  it('n1 alone without quorum: no leader anywhere, quorum lost, the others missing', () => {
    // Prepare: n2 and n3 were stopped; their vantages time out.
    const o = observe(
      sample({
        replies: { n1: { jsz: fixture('jsz-2.9.10-no-quorum.json') } },
        startedAt: Date.parse('2026-11-23T14:28:21.005Z'),
        vantages: [
          { via: 'n1', hears: ['n1'] },
          { via: 'n2', hears: [], error: { kind: 'timeout', message: 'nats://n2:4222: timed out' } },
        ],
      }),
    );

    // Act / Assess
    expect(serverNamed(o, 'n1').meta?.leader).toBeUndefined();
    expect(group(o, 'ORDERS').leader).toBeUndefined();
    expect(judgeAll(o)).toEqual(['meta_no_leader meta:default warning (critical once persistent)', 'server_missing server:n2 warning (critical once persistent)', 'server_missing server:n3 warning (critical once persistent)']);
  });

  it('a standalone server and a server without JetStream are observed but form no meta group', () => {
    // Act
    const o = observeFixtures(
      { 'solo-js': { jsz: fixture('jsz-2.9.10-standalone.json') }, 'solo-nojs': { jsz: fixture('jsz-2.9.10-jetstream-disabled.json') } },
      '2026-11-23T14:28:32.390Z',
    );

    // Assess
    expect(o.servers.map((s) => [s.name, s.jetstream, s.cluster, s.meta])).toEqual([
      ['solo-js', true, undefined, undefined],
      ['solo-nojs', false, undefined, undefined],
    ]);
    expect(judgeAll(o)).toEqual([]);
  });

  it('an error reply becomes a problem naming its server, not a server', () => {
    // Act
    const o = observeFixtures({ n1: { jsz: fixture('jsz-2.9.10-bad-request.json') } }, V29_TIME);

    // Assess
    expect(o.servers).toEqual([]);
    expect(o.problems).toEqual([
      {
        server: 'n1',
        vantage: 'nats://n1:4222',
        endpoint: 'JSZ',
        problem: "server answered with error 400: invalid character 'n' looking for beginning of object key string",
      },
    ]);
  });
});

describe('observing 2.10 (nats-a 2.10.29 meta leader, nats-b 2.10.20 follower; nats-c silent)', () => {
  const v210 = {
    'nats-a': { jsz: fixture('jsz-2.10.29-meta-leader.json'), routez: fixture('routez-2.10.29.json') },
    'nats-b': { jsz: fixture('jsz-2.10.20-follower.json'), raftz: fixture('raftz-2.10.29-follower.json') },
  };
  const observed = () => observeFixtures(v210, '2025-06-11T14:42:06.998Z');

  it('reads meta views, pending, offline replicas and the RAFTZ term', () => {
    // Act
    const o = observed();

    // Assess
    const a = serverNamed(o, 'nats-a');
    const b = serverNamed(o, 'nats-b');
    expect(a.meta).toMatchObject({ leader: 'nats-a', clusterSize: 3, pending: 3 });
    expect(a.meta?.replicas).toMatchObject([
      { name: 'nats-b', current: true },
      { name: 'nats-c', current: false, offline: true },
    ]);
    expect(a.metaTerm).toBeUndefined();
    expect(b).toMatchObject({ version: '2.10.20', meta: { leader: 'nats-a' }, metaTerm: 4, metaState: 'FOLLOWER' });
    expect(o.knownServerNames).toEqual(['nats-a', 'nats-b', 'nats-c']);
  });

  it('names routes by remote_name, once per peer despite route pools and pinned accounts', () => {
    expect(serverNamed(observed(), 'nats-a').routes).toEqual(['nats-b', 'nats-c']);
  });

  it('keeps the account of a JWT name tag and a group whose leader did not answer', () => {
    // Act
    const o = observed();

    // Assess
    expect(group(o, 'KV_config')).toMatchObject({ account: 'APP', leader: 'nats-a', reportedBy: 'nats-a' });
    expect(group(o, 'ORDERS')).toMatchObject({ account: 'orders', leader: 'nats-c', reportedBy: 'nats-b' });
  });

  it('runs every check: nats-c is missing; nats-b’s reply was recorded months earlier, so its clock looks behind', () => {
    expect(judgeAll(observed())).toEqual(['server_missing server:nats-c warning', 'clock_skew server:nats-b warning']);
  });
});

describe('observing 2.11.12 (nats-c answers JSZ, nats-a RAFTZ)', () => {
  const v211 = {
    'nats-c': { jsz: fixture('jsz-2.11.12-raft.json') },
    'nats-a': { raftz: fixture('raftz-2.11.12-leader.json') },
  };
  const observed = () => observeFixtures(v211, '2025-11-20T07:15:00.985Z');

  it('reads the server-side leader counts', () => {
    expect(serverNamed(observed(), 'nats-c')).toMatchObject({ version: '2.11.12', streamsLeader: 2, consumersLeader: 1, meta: { leader: 'nats-a' } });
  });

  it('a RAFTZ reply alone does not make a server: only JSZ answers count', () => {
    expect(observed().servers.map((s) => s.name)).toEqual(['nats-c']);
  });

  it('does not take "Server name unknown at this time" for a server name', () => {
    // Act
    const o = observed();

    // Assess: the peer still shows in the group, but is no server to miss.
    expect(group(o, 'EVENTS').replicas.map((r) => r.name)).toContain('Server name unknown at this time (peerID: 3JdJR0O6)');
    expect(o.knownServerNames).toEqual(['nats-a', 'nats-b', 'nats-c']);
  });

  it('runs every check: quorum lost with only nats-c answering, nats-a and nats-b missing', () => {
    expect(judgeAll(observed())).toEqual([
      'meta_no_leader meta:default warning (critical once persistent)',
      'server_missing server:nats-a warning (critical once persistent)',
      'server_missing server:nats-b warning (critical once persistent)',
    ]);
  });
});

describe('observing 2.12.15 (nats-a answers JSZ and ROUTEZ, nats-c RAFTZ)', () => {
  const v212 = {
    'nats-a': { jsz: fixture('jsz-2.12.15-raft.json'), routez: fixture('routez-2.12.15.json') },
    'nats-c': { raftz: fixture('raftz-2.12.15-candidate.json') },
  };
  const observed = () => observeFixtures(v212, '2026-02-02T12:00:00Z');

  it('reads a zero consumers_leader left out (omitempty) as absent, the streams count as sent', () => {
    expect(serverNamed(observed(), 'nats-a')).toMatchObject({ streamsLeader: 1, consumersLeader: undefined, meta: { leader: 'nats-a' } });
  });

  it('names pooled routes once per peer', () => {
    expect(serverNamed(observed(), 'nats-a').routes).toEqual(['nats-b', 'nats-c']);
  });

  it('keeps groups led elsewhere as the only reporter saw them', () => {
    // Act
    const o = observed();

    // Assess
    expect(group(o, 'ORDERS')).toMatchObject({ leader: 'nats-a', reportedBy: 'nats-a' });
    expect(group(o, 'ORDERS', 'billing')).toMatchObject({ kind: 'consumer', leader: 'nats-b', reportedBy: 'nats-a' });
    expect(group(o, 'AUDIT')).toMatchObject({ leader: 'nats-c', reportedBy: 'nats-a' });
  });

  it('runs every check without error', () => {
    expect(judgeAll(observed())).toEqual([
      'meta_no_leader meta:default warning (critical once persistent)',
      'server_missing server:nats-b warning (critical once persistent)',
      'server_missing server:nats-c warning (critical once persistent)',
    ]);
  });
});

describe('observing a rolling upgrade: nats-a on 2.12, nats-b on 2.10, nats-c on 2.11, RAFTZ from each', () => {
  const mixed = {
    'nats-a': { jsz: fixture('jsz-2.12.15-raft.json'), routez: fixture('routez-2.12.15.json'), raftz: fixture('raftz-2.11.12-leader.json') },
    'nats-b': { jsz: fixture('jsz-2.10.20-follower.json'), raftz: fixture('raftz-2.10.29-follower.json') },
    'nats-c': { jsz: fixture('jsz-2.11.12-raft.json'), raftz: fixture('raftz-2.12.15-candidate.json') },
  };

  it('attaches each server’s meta term and state from its own RAFTZ reply', () => {
    // Act
    const o = observeFixtures(mixed, '2026-02-02T12:00:00Z');

    // Assess
    expect(o.servers.map((s) => [s.name, s.version, s.meta?.leader, s.metaTerm, s.metaState])).toEqual([
      ['nats-a', '2.12.15', 'nats-a', 31, 'LEADER'],
      ['nats-b', '2.10.20', 'nats-a', 4, 'FOLLOWER'],
      ['nats-c', '2.11.12', 'nats-a', 9, 'CANDIDATE'],
    ]);
  });

  it('runs every check; only the clocks of replies recorded at other times stand out', () => {
    expect(judgeAll(observeFixtures(mixed, '2026-02-02T12:00:00Z'))).toEqual([
      'clock_skew server:nats-b warning',
      'clock_skew server:nats-c warning',
    ]);
  });
});
