import { describe, expect, it } from 'vitest';
import { observe } from '../../lib/observation/observe.js';
import { gateProblems } from '../../lib/rebalance/gate.js';
import { isHealthyReplica } from '../../lib/domain/replica-health.js';
import type { Move } from '../../lib/rebalance/types.js';
import { healthyReplies, jsz, partitioned, routez, sample, servers, type Peer } from '../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);
const move: Move = { kind: 'stream', account: 'APP', stream: 'ORDERS', from: 'n1', to: 'n2' };

function withOrders(followers: readonly Peer[]) {
  return healthyReplies({ streams: { n1: [{ name: 'ORDERS', leader: 'n1', replicas: followers }] } });
}

describe('gateProblems', () => {
  it('is open on a healthy cluster whose group has in-step replicas', () => {
    expect(gateProblems(observe(sample({ replies: withOrders(['n2', 'n3']) })), [move])).toEqual([]);
  });

  it('closes on a meta leader disagreement, naming it', () => {
    const replies = withOrders(['n2', 'n3']);
    replies.n3 = { jsz: jsz(n3, { meta: { leader: null } }) };
    const problems = gateProblems(observe(sample({ replies })), [move]);
    expect(problems.some((p) => p.startsWith('meta_leader_disagreement: '))).toBe(true);
  });

  it('closes while a server is missing or a route is cut', () => {
    const replies = withOrders(['n2', 'n3']);
    delete replies.n3;
    const missing = gateProblems(observe(sample({ replies })), [move]);
    expect(missing.some((p) => p.startsWith('server_missing: n3 did not answer'))).toBe(true);

    const cut = withOrders(['n2', 'n3']);
    cut.n1 = { ...cut.n1!, routez: routez(n1, [n2]) };
    cut.n2 = { ...cut.n2!, routez: routez(n2, [n1]) };
    cut.n3 = { ...cut.n3!, routez: routez(n3, []) };
    const split = gateProblems(observe(sample({ replies: cut, vantages: partitioned(['n1', 'n2'], ['n3']) })), [move]);
    expect(split.some((p) => p.startsWith('route_missing: '))).toBe(true);
  });

  it('closes for a group with a replica offline, silent or far behind, but not for one a few entries behind', () => {
    const behind = (peer: Peer) => gateProblems(observe(sample({ replies: withOrders(['n2', peer]) })), [move]);
    expect(behind({ name: 'n3', offline: true })).toEqual(['stream ORDERS (account APP) has replicas offline, silent or lagging: n3 (offline)']);
    expect(behind({ name: 'n3', current: false, activeNs: 10_000_000_000 })[0]).toContain('n3 (lag 0, last seen 10000 ms ago)');
    expect(behind({ name: 'n3', current: false, lagText: '5000' })[0]).toContain('n3 (lag 5000');
    expect(behind({ name: 'n3', current: false, lagText: '3', activeNs: 200_000_000 })).toEqual([]);
  });

  it('closes for a group no server reports any more', () => {
    const problems = gateProblems(observe(sample({ replies: withOrders(['n2', 'n3']) })), [{ ...move, stream: 'GONE' }]);
    expect(problems).toEqual(['stream GONE (account APP) is no longer reported by any server']);
  });
});

describe('isHealthyReplica', () => {
  it('accepts current replicas and busy ones a few entries behind; rejects offline, silent and lagging ones', () => {
    expect(isHealthyReplica({ name: 'a', current: true })).toBe(true);
    expect(isHealthyReplica({ name: 'a', current: false, activeNs: 1e9, lag: 100 })).toBe(true);
    expect(isHealthyReplica({ name: 'a', current: false, activeNs: 1e9, lag: 101 })).toBe(false);
    expect(isHealthyReplica({ name: 'a', current: false, activeNs: 3.1e9, lag: 0 })).toBe(false);
    expect(isHealthyReplica({ name: 'a', current: false })).toBe(false);
    expect(isHealthyReplica({ name: 'a', current: true, offline: true })).toBe(false);
  });
});

