import { describe, expect, it } from 'vitest';
import { serverReplyInvalid } from '../../../lib/checks/server-reply-invalid.js';
import { onlyFinding, runCheck } from '../../support/run-check.js';
import { errorReply, healthyReplies, jsz, sample, servers } from '../../support/sample-builder.js';

const { n2 } = servers(['n2']);

describe('server_reply_invalid', () => {
  it('a reply of the wrong shape is one warning per server and endpoint, with every vantage it came through', () => {
    // Prepare: n2's cluster_size is a string, heard through all three vantages.
    const bad = jsz(n2, { meta: { leader: 'n1' } }).replace('"cluster_size":3', '"cluster_size":"3"');
    const observed = sample({ replies: { ...healthyReplies(), n2: { jsz: bad } } });

    // Act
    const finding = onlyFinding(runCheck(serverReplyInvalid, observed));

    // Assess
    expect(finding).toMatchObject({
      subject: 'reply:n2:JSZ',
      severity: 'warning',
      summary: "n2's JSZ reply could not be used: data.meta_cluster.cluster_size: expected a number, got string",
      details: {
        server: 'n2',
        endpoint: 'JSZ',
        vantages: ['nats://n1:4222', 'nats://n2:4222', 'nats://n3:4222'],
        problems: ['data.meta_cluster.cluster_size: expected a number, got string'],
      },
    });
    expect(finding.remediation[0]).toContain('nats-audit gather --out sample.json');
  });

  it('an error reply quotes the server’s error', () => {
    // Prepare
    const observed = sample({ replies: { ...healthyReplies(), n2: { jsz: errorReply(n2, 400, 'bad request') } } });

    // Act / Assess
    expect(onlyFinding(runCheck(serverReplyInvalid, observed)).summary).toBe(
      "n2's JSZ reply could not be used: server answered with error 400: bad request",
    );
  });

  it('an unreadable reply cannot name its server and is reported per vantage', () => {
    // Prepare: a corrupt gzip body through n1's vantage only.
    const observed = sample({
      replies: { ...healthyReplies(), n3: { jsz: { decodeError: 'corrupt gzip body (Z_DATA_ERROR)' } } },
      vantages: [{ via: 'n1', hears: ['n1', 'n2', 'n3'] }],
    });

    // Act
    const finding = onlyFinding(runCheck(serverReplyInvalid, observed));

    // Assess
    expect(finding.subject).toBe('reply:via nats://n1:4222:JSZ');
    expect(finding.summary).toBe("A server's JSZ reply could not be used: corrupt gzip body (Z_DATA_ERROR)");
    expect(finding.details.server).toBeNull();
  });

  it('counts further distinct problems of the same server and endpoint', () => {
    // Prepare: n2 sends different broken replies through two vantages.
    const observed = sample({
      replies: { ...healthyReplies(), n2: { jsz: 'not json' } },
      vantages: [
        { via: 'n1', hears: ['n1', 'n2'], replies: { n2: { jsz: errorReply(n2, 500, 'boom') } } },
        { via: 'n3', hears: ['n3', 'n2'], replies: { n2: { jsz: errorReply(n2, 503, 'busy') } } },
      ],
    });

    // Act
    const finding = onlyFinding(runCheck(serverReplyInvalid, observed));

    // Assess
    expect(finding.summary).toBe("n2's JSZ reply could not be used: server answered with error 500: boom; … and 1 more");
    expect(finding.details.problems).toEqual(['server answered with error 500: boom', 'server answered with error 503: busy']);
  });

  it('a request that failed as a whole (permissions, a dropped connection) is no server’s bad reply: vantage_failed says it', () => {
    // Prepare
    const observed = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: ['n1', 'n2', 'n3'] },
        { via: 'n2', hears: [], jszError: 'permissions violation: publish to "$SYS.REQ.SERVER.PING.JSZ"' },
        { via: 'n3', hears: [], lostWith: 'connection closed' },
      ],
    });

    // Act / Assess
    expect(runCheck(serverReplyInvalid, observed)).toEqual([]);
  });

  it('a healthy cluster, and 2.9’s no-responders status to RAFTZ, give no finding', () => {
    // Prepare: the builder answers RAFTZ with a 503 when nobody serves it.
    const observed = sample({ replies: healthyReplies() });

    // Act / Assess
    expect(observed.vantages[0]?.requests.find((r) => r.endpoint === 'RAFTZ')?.ended).toBe('no-responders');
    expect(runCheck(serverReplyInvalid, observed)).toEqual([]);
  });
});
