import { describe, expect, it } from 'vitest';
import { decodeReply, wasDecoded } from '../../../lib/domain/decode-reply.js';
import { parseJszReply } from '../../../lib/replies/index.js';
import type { RawReply } from '../../../lib/domain/raw-sample.js';
import { jsz, servers } from '../../support/sample-builder.js';

const { n1 } = servers(['n1']);
const arrived = (body: string): RawReply => ({ latencyMs: 1, receivedAt: 0, wireBytes: body.length, body });

describe('decodeReply', () => {
  it('validates a reply once: the second call returns the first result', () => {
    // Prepare
    const reply = arrived(jsz(n1, { meta: { leader: 'n1' } }));
    expect(wasDecoded(reply)).toBe(false);

    // Act
    const first = decodeReply('JSZ', reply);
    const second = decodeReply('JSZ', reply);

    // Assess
    expect(wasDecoded(reply)).toBe(true);
    expect(second).toBe(first);
    expect(first).toEqual(parseJszReply(reply.body!));
  });

  it('gives the same verdict for a body read back parsed as for its text', () => {
    const text = jsz(n1, { meta: { leader: 'n1' } });
    const back: RawReply = { latencyMs: 1, receivedAt: 0, wireBytes: text.length, json: JSON.parse(text) };
    expect(decodeReply('JSZ', back)).toEqual(decodeReply('JSZ', arrived(text)));
  });

  it('a no-responders marker is no reply; an undecodable one is a problem naming why', () => {
    expect(decodeReply('RAFTZ', { latencyMs: 1, receivedAt: 0, wireBytes: 0, status: 503 })).toBeUndefined();
    expect(decodeReply('JSZ', { latencyMs: 1, receivedAt: 0, wireBytes: 9, decodeError: 'bad gzip' })).toEqual({ ok: false, problem: 'bad gzip' });
  });
});
