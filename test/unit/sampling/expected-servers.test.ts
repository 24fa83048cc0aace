import { describe, expect, it } from 'vitest';
import { ExpectedServers } from '../../../lib/sampling/expected-servers.js';
import { jszMetaMembers } from '../../../lib/sampling/jsz-meta-members.js';
import { metaMembers } from '../../../lib/replies/meta-members.js';
import { jsz, servers } from '../../support/sample-builder.js';

const { n1, n2 } = servers(['n1', 'n2']);

describe('how many meta group members one view reports', () => {
  it('is cluster_size from a follower, and the leader with its listed peers when they are more', () => {
    expect(metaMembers({ clusterSize: 3, leader: 'n1' })).toBe(3);
    expect(metaMembers({ clusterSize: 2, leader: 'n1', replicas: [{ name: 'n2' }, { name: 'n3' }] })).toBe(3);
    expect(metaMembers({ clusterSize: 5, leader: 'n1', replicas: [{ name: 'n2' }] })).toBe(5);
  });

  it('counts a name once, and neither an empty name nor a missing leader', () => {
    expect(metaMembers({ clusterSize: 1, leader: 'n1', replicas: [{ name: 'n1' }, { name: 'n2' }, { name: 'n2' }, { name: '' }] })).toBe(2);
    expect(metaMembers({ replicas: [{ name: 'n2' }] })).toBe(1);
    expect(metaMembers({})).toBe(0);
  });
});

describe('the meta members a raw JSZ reply reports, read before validation', () => {
  it('reads cluster_size from a follower and the listed peers from the leader', () => {
    expect(jszMetaMembers(jsz(n2, { meta: { leader: 'n1', clusterSize: 2 } }))).toBe(2);
    expect(jszMetaMembers(jsz(n1, { meta: { leader: 'n1', clusterSize: 2, replicas: ['n2', 'n3'] } }))).toBe(3);
  });

  it('is undefined without a whole meta_cluster in the scanned head, or when it counts no one', () => {
    expect(jszMetaMembers(jsz(n1))).toBeUndefined();
    expect(jszMetaMembers('{"data":{"meta_cluster":{"cluster_size":3')).toBeUndefined();
    expect(jszMetaMembers('{"data":{"meta_cluster":{"cluster_size":0}}}')).toBeUndefined();
    expect(jszMetaMembers('{"data":{"meta_cluster":{"cluster_size":"3","replicas":"n2"}}}')).toBeUndefined();
    expect(jszMetaMembers(`{"pad":"${'x'.repeat(70 * 1024)}","data":{"meta_cluster":{"cluster_size":3}}}`)).toBeUndefined();
  });

  it('is not fooled by braces or quotes inside names', () => {
    const body = '{"data":{"meta_cluster":{"name":"c}{\\"1","leader":"a}","replicas":[{"name":"b{"},{"name":"c\\"}"}],"cluster_size":2}}}';
    expect(jszMetaMembers(body)).toBe(3);
  });
});

describe('how many servers a PING waits for', () => {
  it('grows to the most members any reply reported and tells listeners, never shrinks', () => {
    const expected = new ExpectedServers(undefined);
    const heard: number[] = [];
    expected.subscribe(() => heard.push(expected.get() ?? -1));
    expected.offerJszBody(jsz(n2, { meta: { leader: 'n1', clusterSize: 2 } }));
    expected.offerJszBody(jsz(n1, { meta: { leader: 'n1', clusterSize: 2, replicas: ['n2', 'n3'] } }));
    expected.offerJszBody(jsz(n2, { meta: { leader: 'n1', clusterSize: 2 } }));
    expected.offerJszBody(undefined);
    expect(heard).toEqual([2, 3]);
    expect(expected.get()).toBe(3);
  });

  it('is --expect-servers when given, whatever the replies say', () => {
    const expected = new ExpectedServers(5);
    expected.offerJszBody(jsz(n1, { meta: { leader: 'n1', clusterSize: 2, replicas: ['n2', 'n3'] } }));
    expect(expected.get()).toBe(5);
  });
});
