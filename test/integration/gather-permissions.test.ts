/**
 * gather() with a system user that may publish only to the PING subjects:
 * it cannot ask one server for its JSZ detail (`$SYS.REQ.SERVER.<id>.JSZ`),
 * so its vantage falls back to asking the PING for detail.
 */
import { join } from 'node:path';
import { connect } from 'nats';
import { beforeAll, describe, expect, it } from 'vitest';
import { observe } from '../../lib/observation/observe.js';
import { gather } from '../../lib/sampling/gather.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { useSingleServer, type SingleServerPlace } from '../support/single-server.js';

const PASSWORD = 'ping-only-secret';

describe('gather with a user allowed to publish only to $SYS.REQ.SERVER.PING.*', () => {
  const server = useSingleServer(
    ({ port, dir }: SingleServerPlace) => `listen: 127.0.0.1:${port}
server_name: ping-only
jetstream { store_dir: "${join(dir, 'js')}" }
accounts {
  SYS: { users: [{ user: sys, password: ${PASSWORD}, permissions: { publish: { allow: ["$SYS.REQ.SERVER.PING.*"] }, subscribe: { allow: ["_INBOX.>"] } } }] }
  APP: { jetstream: enabled, users: [{ user: app, password: ${PASSWORD} }] }
}
system_account: SYS
`,
    { label: 'ping-only' },
  );
  let sample: RawSample;

  beforeAll(async () => {
    const app = await connect({ servers: server().url, user: 'app', pass: PASSWORD });
    try {
      const jsm = await app.jetstreamManager();
      await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    } finally {
      await app.close();
    }
    // 'per-server' asks for detail whether or not the server counts its own
    // leaders (2.11.11+), where 'flagged' would skip a server leading one stream.
    sample = await gather({
      servers: [server().url],
      auth: { user: 'sys', password: PASSWORD },
      expectServers: 1,
      timeoutMs: 5_000,
      jszDetail: 'per-server',
    });
  });

  it('falls back to one PING with detail, leaving no error behind', () => {
    // Assess
    const [vantage] = sample.vantages;
    expect(vantage?.requests.map((r) => [r.subject, r.ended, r.error])).toEqual([
      ['$SYS.REQ.SERVER.PING.JSZ', 'all-expected', undefined],
      ['$SYS.REQ.SERVER.PING.ROUTEZ', 'all-expected', undefined],
      ['$SYS.REQ.SERVER.PING.RAFTZ', expect.any(String), undefined],
      ['$SYS.REQ.SERVER.PING.JSZ', 'all-expected', undefined],
    ]);
    expect(JSON.parse(vantage!.requests[3]!.requestBody)).toMatchObject({ accounts: true, streams: true });
  });

  it('still observes the stream and no reply problem', () => {
    // Act
    const observation = observe(sample);
    // Assess
    expect(observation.groups.map((g) => [g.kind, g.account, g.stream])).toEqual([['stream', 'APP', 'ORDERS']]);
    expect(observation.problems).toEqual([]);
  });
});
