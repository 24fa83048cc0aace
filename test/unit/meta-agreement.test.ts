import { describe, expect, it } from 'vitest';
import { metaAgreement, PEER_ACTIVE_MAX_MS, silentSuspects } from '../../lib/local-cluster/meta-agreement.js';
import type { MetaPeer, MetaView } from '../../lib/local-cluster/meta-view.js';

const peer = (name: string, over: Partial<MetaPeer> = {}): MetaPeer => ({ name, current: true, offline: false, activeMs: 500, ...over });
const follower = (leader: string, clusterSize = 3): MetaView => ({ leader, clusterSize, peers: [] });
const views = (leaderView: MetaView, others: Record<string, MetaView | undefined> = { n2: follower('n1'), n3: follower('n1') }) =>
  new Map<string, MetaView | undefined>([['n1', leaderView], ...Object.entries(others)]);

describe('when the harness calls a meta leader settled', () => {
  it('settles on the leader everyone names when it hears all of them and all count the whole group', () => {
    expect(metaAgreement(views({ leader: 'n1', clusterSize: 3, peers: [peer('n2'), peer('n3')] }))).toEqual({ leader: 'n1' });
  });

  it('waits while servers name different leaders, or none', () => {
    const split = views({ leader: 'n1', peers: [peer('n2'), peer('n3')] }, { n2: follower('n2'), n3: follower('n1') });
    expect(metaAgreement(split)).toEqual({ unsettled: 'the servers name different leaders' });
    expect(metaAgreement(new Map([['n1', { peers: [] }]]))).toEqual({ unsettled: 'no server names a leader' });
  });

  it('waits while the leader does not list a follower, as an idle 2.10.27 leader did for 28 s', () => {
    expect(metaAgreement(views({ leader: 'n1', clusterSize: 3, peers: [peer('n2')] }))).toEqual({ unsettled: 'n1 does not list n3 among its peers' });
  });

  it('waits while a follower is not current, offline, or last heard too long ago', () => {
    const leaderWith = (p: MetaPeer) => views({ leader: 'n1', clusterSize: 3, peers: [peer('n2'), p] });
    expect(metaAgreement(leaderWith(peer('n3', { current: false })))).toEqual({ unsettled: 'n1 reports n3 not current' });
    expect(metaAgreement(leaderWith(peer('n3', { offline: true })))).toEqual({ unsettled: 'n1 reports n3 offline' });
    expect(metaAgreement(leaderWith(peer('n3', { activeMs: PEER_ACTIVE_MAX_MS + 1 })))).toEqual({ unsettled: `n1 last heard n3 ${PEER_ACTIVE_MAX_MS + 1} ms ago` });
  });

  it('waits until the leader hears a restarted follower\'s new process, however current its old entry looks', () => {
    const started = new Map([['n3', 10_000]]);
    const leaderWith = (p: MetaPeer) => views({ leader: 'n1', clusterSize: 3, peers: [peer('n2', { heardAt: 9_000 }), p] });
    // Killed and restarted within a heartbeat: the old process's last message is still current and recent.
    expect(metaAgreement(leaderWith(peer('n3', { heardAt: 9_990 })), started)).toEqual({ unsettled: 'n1 has not heard n3 since it was started' });
    expect(metaAgreement(leaderWith(peer('n3', { heardAt: 10_000 })), started)).toEqual({ leader: 'n1' });
    // Without a start time or a reply time there is nothing to compare: the other rules decide.
    expect(metaAgreement(leaderWith(peer('n3', { heardAt: 9_990 })))).toEqual({ leader: 'n1' });
    expect(metaAgreement(leaderWith(peer('n3')), started)).toEqual({ leader: 'n1' });
  });

  it('waits while no server counts the whole meta group, but not for one that lags behind the rest', () => {
    const leader: MetaView = { leader: 'n1', clusterSize: 2, peers: [peer('n2')] };
    expect(metaAgreement(views(leader, { n2: follower('n1', 2), n3: follower('n1', 2) }))).toEqual({
      unsettled: 'no server counts more than 2 servers in the meta group, fewer than the 3 asked',
    });
    const listingAll: MetaView = { leader: 'n1', clusterSize: 3, peers: [peer('n2'), peer('n3')] };
    expect(metaAgreement(views(listingAll, { n2: follower('n1', 2), n3: follower('n1', 3) }))).toEqual({ leader: 'n1' });
  });

  it('counts the peers the leader lists when every cluster_size stays 2 of 3, as on 2.9.10 after an early election', () => {
    const leader: MetaView = { leader: 'n1', clusterSize: 2, peers: [peer('n2'), peer('n3')] };
    expect(metaAgreement(views(leader, { n2: follower('n1', 2), n3: follower('n1', 2) }))).toEqual({ leader: 'n1' });
  });

  it('still settles the majority left after a kill: the group keeps counting the dead server', () => {
    const left = new Map<string, MetaView | undefined>([
      ['n1', { leader: 'n1', clusterSize: 3, peers: [peer('n2'), peer('n3', { current: false, offline: true })] }],
      ['n2', follower('n1')],
    ]);
    expect(metaAgreement(left)).toEqual({ leader: 'n1' });
  });
});

describe('which servers the harness suspects of never sending their Raft messages', () => {
  it('suspects the followers missing from the leader\'s peers, even when the group counts only the others', () => {
    expect(silentSuspects(views({ leader: 'n1', clusterSize: 2, peers: [peer('n2')] }))).toEqual(['n3']);
    expect(silentSuspects(views({ leader: 'n1', clusterSize: 3, peers: [peer('n2'), peer('n3')] }))).toEqual([]);
  });

  it('suspects a restarted follower the leader lists only from its previous process', () => {
    const started = new Map([['n2', 5_000], ['n3', 10_000]]);
    const leader = (n3HeardAt: number): MetaView => ({ leader: 'n1', clusterSize: 3, peers: [peer('n2', { heardAt: 6_000 }), peer('n3', { heardAt: n3HeardAt })] });
    expect(silentSuspects(views(leader(9_500)), started)).toEqual(['n3']);
    expect(silentSuspects(views(leader(10_500)), started)).toEqual([]);
  });

  it('suspects every server while none names a leader', () => {
    expect(silentSuspects(new Map([['n1', { peers: [] }], ['n2', { peers: [] }], ['n3', undefined]]))).toEqual(['n1', 'n2', 'n3']);
  });

  it('suspects none while the servers disagree or the leader they name did not answer', () => {
    expect(silentSuspects(views({ leader: 'n1', peers: [] }, { n2: follower('n2'), n3: follower('n1') }))).toEqual([]);
    expect(silentSuspects(new Map<string, MetaView | undefined>([['n1', undefined], ['n2', follower('n1')]]))).toEqual([]);
  });
});
