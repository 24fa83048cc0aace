/**
 * Which server a reply speaks for (lib/observation/identities.ts through
 * observe): a reply carrying another server's name or id, or a second,
 * different answer of one server to one request, is reported, never allowed
 * to stand in for the real server's data.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { judge } from '../../lib/epoch/judge.js';
import { observe } from '../../lib/observation/observe.js';
import type { Observation } from '../../lib/observation/types.js';
import type { RawReply, RawSample } from '../../lib/domain/raw-sample.js';
import { T0, healthyReplies, jsz, routez, sample, servers } from '../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

function invalidReplies(o: Observation): string[] {
  const { drafts } = judge(defaultRegistry(), { observation: o, history: [] }, { skip: new Set(), thresholds: {} });
  return drafts.filter((d) => d.check === 'server_reply_invalid').map((d) => d.summary);
}

/** `raw` with `reply` added to vantage `v`'s JSZ request. */
function withExtraJsz(raw: RawSample, v: number, reply: RawReply): RawSample {
  return {
    ...raw,
    vantages: raw.vantages.map((vantage, i) =>
      i !== v ? vantage : { ...vantage, requests: vantage.requests.map((r) => (r.endpoint === 'JSZ' ? { ...r, replies: [...r.replies, reply] } : r)) },
    ),
  };
}

describe('reply identities', () => {
  it('a reply naming another server (its own id kept) is reported and does not replace that server', () => {
    // Prepare: through n1's vantage, n3's JSZ claims to be n2 and to follow no leader.
    const raw = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2', 'n3'], replies: { n3: { jsz: jsz({ name: 'n2', id: 'NN3' }, { meta: { leader: null } }) } } },
        { via: 'n2', hears: ['n1', 'n2', 'n3'] },
        { via: 'n3', hears: ['n1', 'n2', 'n3'] },
      ],
    });

    // Act
    const o = observe(raw);

    // Assess: n2 keeps its own id and view; the claim is a finding.
    expect(o.servers.map((s) => [s.name, s.id, s.meta?.leader])).toEqual([
      ['n1', 'NN1', 'n1'],
      ['n2', 'NN2', 'n1'],
      ['n3', 'NN3', 'n1'],
    ]);
    expect(o.vantages[0]!.heard).toEqual(['n1', 'n2']);
    expect(invalidReplies(o)).toEqual([
      `n2's JSZ reply could not be used: reply names its server "n2" but carries the id of "n3" ("NN3"); not used`,
    ]);
  });

  it('two servers configured with one name: the one a connection landed on counts, the other is reported', () => {
    // Prepare: a second server also calls itself n2 (id NN2B) and is heard everywhere.
    const twin = { name: 'n2', id: 'NN2B', time: T0 };
    const base = sample({ replies: healthyReplies() });
    const raw = [0, 1, 2].reduce(
      (s, v) => withExtraJsz(s, v, { latencyMs: 5, receivedAt: s.startedAt + 5, wireBytes: 10, body: jsz(twin, { meta: { leader: 'n1' } }) }),
      base,
    );

    // Act
    const o = observe(raw);

    // Assess
    expect(o.servers.map((s) => [s.name, s.id])).toEqual([
      ['n1', 'NN1'],
      ['n2', 'NN2'],
      ['n3', 'NN3'],
    ]);
    expect(invalidReplies(o)).toEqual([
      `n2's JSZ reply could not be used: reply names its server "n2" with id "NN2B", but "n2" answers with id "NN2" (two servers with one name, or a restart during the audit); not used`,
    ]);
  });

  it('a reply carrying another server’s id under its own name is reported, and neither server is masked', () => {
    // Prepare: through n2's vantage, n3 answers with n1's id.
    const raw = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2', 'n3'] },
        { via: 'n2', hears: ['n1', 'n2', 'n3'], replies: { n3: { jsz: jsz({ name: 'n3', id: 'NN1' }, { meta: { leader: 'n3' } }) } } },
        { via: 'n3', hears: ['n1', 'n2', 'n3'] },
      ],
    });

    // Act
    const o = observe(raw);

    // Assess
    expect(o.servers.map((s) => [s.name, s.id, s.meta?.leader])).toEqual([
      ['n1', 'NN1', 'n1'],
      ['n2', 'NN2', 'n1'],
      ['n3', 'NN3', 'n1'],
    ]);
    expect(invalidReplies(o)).toHaveLength(1);
    expect(invalidReplies(o)).toEqual([`n3's JSZ reply could not be used: reply names its server "n3" but carries the id of "n1" ("NN1"); not used`]);
  });

  it('one server answering one request twice, differently: neither answer is used, and it is reported', () => {
    // Prepare: through n1's vantage, a second, different n2 reply (claiming leadership) arrives later.
    const raw = withExtraJsz(sample({ replies: healthyReplies() }), 0, {
      latencyMs: 9,
      receivedAt: T0 + 9,
      wireBytes: 10,
      body: jsz({ ...n2, time: T0 }, { meta: { leader: 'n2' } }),
    });

    // Act
    const o = observe(raw);

    // Assess: n2 still counts through the other vantages, with its real view.
    const n2Seen = o.servers.find((s) => s.name === 'n2');
    expect(n2Seen).toMatchObject({ meta: { leader: 'n1' }, heardVia: ['nats://n2:4222', 'nats://n3:4222'] });
    expect(invalidReplies(o)).toEqual([`n2's JSZ reply could not be used: answered 2 times to one request, with different replies; none of them is used`]);
  });

  it('an identical duplicate is used once, without a finding', () => {
    // Prepare
    const base = sample({ replies: healthyReplies() });
    const raw = withExtraJsz(base, 0, base.vantages[0]!.requests[0]!.replies[1]!);

    // Act
    const o = observe(raw);

    // Assess
    expect(o.servers.find((s) => s.name === 'n2')?.heardVia).toHaveLength(3);
    expect(invalidReplies(o)).toEqual([]);
  });

  it('a connection whose server restarted (its INFO id no longer answers) does not disown the new id', () => {
    // Prepare: n1 restarted after the connection was made: its replies carry a new id.
    const raw = sample({
      replies: { ...healthyReplies(), n1: { jsz: jsz({ name: 'n1', id: 'NN1-NEW' }, { meta: { leader: 'n1', replicas: ['n2', 'n3'] } }), routez: routez({ name: 'n1', id: 'NN1-NEW' }, [n2, n3]) } },
    });

    // Act
    const o = observe(raw);

    // Assess
    expect(o.servers.find((s) => s.name === 'n1')?.id).toBe('NN1-NEW');
    expect(invalidReplies(o)).toEqual([]);
  });

  it('a truncated reply is still about its server: the id at its start names it', () => {
    // Prepare: n3's JSZ cut off after its server block through every vantage.
    const cut = jsz(n3, { meta: { leader: 'n1' } }).slice(0, 200);
    const raw = sample({ replies: { ...healthyReplies(), n3: { jsz: cut, routez: routez(n3, [n1, n2]) } } });

    // Act
    const o = observe(raw);

    // Assess
    expect(o.problems.map((p) => [p.server, p.endpoint])).toEqual([
      ['n3', 'JSZ'],
      ['n3', 'JSZ'],
      ['n3', 'JSZ'],
    ]);
    expect(invalidReplies(o)[0]).toMatch(/^n3's JSZ reply could not be used: reply is not JSON/);
  });
});
