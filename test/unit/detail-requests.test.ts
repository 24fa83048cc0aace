import { describe, expect, it, vi } from 'vitest';
import { LEADER_BALANCE_DEFAULTS } from '../../lib/domain/leader-balance.js';
import type { RawReply, RawRequest } from '../../lib/domain/raw-sample.js';
import { claimOnce, DetailRequests } from '../../lib/sampling/detail-requests.js';
import { T0, jsz, servers } from '../support/sample-builder.js';

const arrived = (body: string): RawReply => ({ latencyMs: 1, receivedAt: T0, wireBytes: body.length, body });

function answered(subject: string, ended: RawRequest['ended'] = 'all-expected', error?: string): RawRequest {
  return { endpoint: 'JSZ', subject, requestBody: '{}', sentAt: T0, durationMs: 1, ended, replies: [], ...(error === undefined ? {} : { error }) };
}

/** A vantage's detail requests, recording what it sends (a server id, or `ping` for the PING with detail). */
function vantage(mode: 'per-server' | 'flagged', claim = claimOnce(), reply: (serverId: string | undefined) => RawRequest = (id) => answered(id ?? 'ping')) {
  const sent: string[] = [];
  const added: Promise<RawRequest | undefined>[] = [];
  const details = new DetailRequests({
    mode,
    leaderBalance: LEADER_BALANCE_DEFAULTS,
    claim,
    send: (serverId) => {
      sent.push(serverId ?? 'ping');
      return Promise.resolve(reply(serverId));
    },
    add: (request) => added.push(request),
  });
  return { details, sent, results: () => Promise.all(added) };
}

const counting = servers(['n1', 'n2', 'n3'], { version: '2.11.12', time: T0 });
const old = servers(['o1'], { version: '2.9.10', cluster: 'c2', time: T0 });
/** The JSZ summary a server sends for `{raft: true}`. */
const summary = (server: (typeof counting)['n1'], streamsLeader?: number) =>
  arrived(jsz(server, { meta: { leader: 'n1' }, ...(streamsLeader === undefined ? {} : { streamsLeader }) }));

describe('DetailRequests', () => {
  it('per-server: asks its own server at once and each server it hears, each once per epoch across vantages', () => {
    // Prepare
    const claim = claimOnce();
    const a = vantage('per-server', claim);
    const b = vantage('per-server', claim);

    // Act
    a.details.begin({ id: 'NN1', version: '2.9.10' }, 1000);
    a.details.heard(summary(counting.n2));
    b.details.heard(summary(counting.n2));
    b.details.heard(summary(counting.n3));
    b.details.heard({ latencyMs: 1, receivedAt: T0, wireBytes: 0, status: 503 });

    // Assess
    expect(a.sent).toEqual(['NN1', 'NN2']);
    expect(b.sent).toEqual(['NN3']);
  });

  it('falls back once to a PING with detail when a one-server subject is denied', async () => {
    // Prepare
    const denied = (id: string | undefined) => (id === undefined ? answered('ping') : answered(id, 'error', 'permissions violation: publish to "$SYS.REQ.SERVER.X.JSZ"'));
    const v = vantage('per-server', claimOnce(), denied);

    // Act
    v.details.heard(summary(counting.n1));
    v.details.heard(summary(counting.n2));
    const results = await v.results();

    // Assess
    expect(v.sent).toEqual(['NN1', 'NN2', 'ping']);
    expect(results.map((r) => r?.subject)).toEqual(['ping', undefined]);
  });

  it('keeps a request that failed for another reason as it is', async () => {
    const v = vantage('per-server', claimOnce(), (id) => answered(id ?? 'ping', 'deadline'));
    v.details.heard(summary(counting.n1));
    expect(await v.results()).toEqual([answered('NN1', 'deadline')]);
    expect(v.sent).toEqual(['NN1']);
  });

  it('flagged: asks a server that cannot count its leaders at once, and the hot counting ones when it decides, once', () => {
    // Prepare
    const v = vantage('flagged');

    // Act
    v.details.heard(summary(old.o1));
    v.details.heard(summary(counting.n1, 9));
    v.details.heard(summary(counting.n2, 1));
    v.details.heard(summary(counting.n3, 1));
    const beforeDeciding = [...v.sent];
    v.details.decide();
    v.details.decide();
    v.details.heard(summary(counting.n3, 20));

    // Assess
    expect(beforeDeciding).toEqual(['NO1']);
    expect(v.sent).toEqual(['NO1', 'NN1']);
  });

  it('flagged: decides on its timer when the JSZ PING has not ended, with a share of the time left', async () => {
    // Prepare
    const v = vantage('flagged');
    v.details.heard(summary(counting.n1, 9));
    v.details.heard(summary(counting.n2, 1));
    v.details.heard(summary(counting.n3, 1));

    // Act
    v.details.begin({ id: 'NN2', version: '2.11.12' }, 0);

    // Assess
    expect(v.sent).toEqual([]);
    await vi.waitFor(() => expect(v.sent).toEqual(['NN1']));
  });
});
