/**
 * Hostile compressed replies through collectPing, with a stand-in connection
 * (the decoding is what is under test, not NATS): a gzip bomb that inflates
 * far beyond the cap is stopped at the cap, quickly and without the memory
 * the whole bomb would take; corrupt or random gzip bytes, unknown encodings
 * and oversized plain bodies all become a decodeError that still counts as
 * that server's answer. An epoch over such a sample reports it and judges the
 * other servers as usual.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { NatsConnection } from 'nats';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { judge } from '../../../lib/epoch/judge.js';
import { observe } from '../../../lib/observation/observe.js';
import { GATHER_DEFAULTS } from '../../../lib/sampling/gather.js';
import { collectPing } from '../../../lib/sampling/ping.js';
import type { RawRequest, RawSample } from '../../../lib/domain/raw-sample.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';
import { healthyReplies, sample } from '../../support/sample-builder.js';
import { answering } from '../../support/answering-connection.js';

const MiB = 1024 * 1024;

/**
 * A gzip stream that inflates to `members` MiB of zeros: one compressed MiB
 * (about 1 KB) repeated as concatenated gzip members, which gunzip reads as
 * one stream. Costs a few MB to build whatever it claims to hold.
 */
function gzipBomb(members: number): Uint8Array {
  const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

function ping(nc: NatsConnection, maxReplyBytes: number, expected = 1): Promise<RawRequest> {
  return collectPing(nc, 'JSZ', '{}', { expected: () => expected, deadlineMs: 5_000, maxReplyBytes });
}

/** Peak resident memory of this process so far, in bytes (monotonic). */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

describe('gzip bombs and undecodable bodies', () => {
  it('a 1 GiB bomb against the default 64 MiB cap: a decodeError, memory far below the bomb', async () => {
    // Prepare
    const bomb = gzipBomb(1024);
    expect(bomb.length).toBeLessThan(4 * MiB);
    const peakBefore = peakRss();

    // Act
    const req = await ping(answering([bomb], 'gzip'), GATHER_DEFAULTS.maxReplyBytes);

    // Assess
    expect(req.replies).toHaveLength(1);
    expect(req.replies[0]).toMatchObject({ decodeError: `gzip body inflates beyond the ${GATHER_DEFAULTS.maxReplyBytes}-byte cap`, wireBytes: bomb.length });
    expect(req.replies[0]!.body).toBeUndefined();
    // The undecodable reply is still one server's answer: collection ends at once.
    expect(req.ended).toBe('all-expected');
    // Inflating it whole would take 1 GiB; stopping at the cap takes about 64 MiB more.
    expect(peakRss() - peakBefore).toBeLessThan(512 * MiB);
  }, 30_000);

  it('a small cap stops a bomb after a few kilobytes', async () => {
    // Act
    const req = await ping(answering([gzipBomb(64)], 'gzip'), 1_000);

    // Assess
    expect(req.replies[0]!.decodeError).toBe('gzip body inflates beyond the 1000-byte cap');
  });

  it('a plain body over the cap is not decoded at all', async () => {
    // Act
    const req = await ping(answering([new Uint8Array(2_000).fill(0x5b)]), 1_000);

    // Assess
    expect(req.replies[0]!.decodeError).toBe('body of 2000 bytes exceeds the 1000-byte cap');
  });

  it('an encoding other than gzip is named, clipped, and not decoded', async () => {
    // Act
    const req = await ping(answering([new Uint8Array([1, 2, 3])], `br${'x'.repeat(100)}`), MiB);

    // Assess
    expect(req.replies[0]!.decodeError).toBe(`unsupported Content-Encoding "br${'x'.repeat(30)}"`);
  });

  it('random and truncated gzip bytes: always a body within the cap or a decodeError, never a throw', async () => {
    const valid = gzipSync(Buffer.from(healthyReplies().n1!.jsz as string));
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2_048 }),
      fc.nat({ max: valid.length }).map((n) => valid.subarray(0, n)),
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const copy = Uint8Array.from(valid);
        copy[at] = byte;
        return copy;
      }),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (data) => {
        // Act
        const req = await ping(answering([data], 'gzip'), 4_096);

        // Assess
        expect(req.replies).toHaveLength(1);
        const [reply] = req.replies;
        if (reply!.body === undefined) expect(reply!.decodeError).toMatch(/^(corrupt gzip body \(|gzip body inflates beyond)/);
        else expect(reply!.body.length).toBeLessThanOrEqual(4_096);
      }),
      propertyRuns(300),
    );
  }, propertyTimeout(60_000));

  it('an epoch over a sample holding the bomb reports that server and still judges the others', () => {
    // Prepare: n2's JSZ was a bomb through every vantage.
    const raw: RawSample = sample({
      replies: { ...healthyReplies(), n2: { jsz: { decodeError: `gzip body inflates beyond the ${GATHER_DEFAULTS.maxReplyBytes}-byte cap` } } },
    });

    // Act
    const observation = observe(raw);
    const { drafts, runs } = judge(defaultRegistry(), { observation, history: [] }, { skip: new Set(), thresholds: {} });

    // Assess
    expect(runs.filter((r) => r.outcome === 'error')).toEqual([]);
    expect(observation.servers.map((s) => [s.name, s.meta?.leader])).toEqual([
      ['n1', 'n1'],
      ['n3', 'n1'],
    ]);
    expect(drafts.find((d) => d.check === 'server_reply_invalid')?.summary).toMatch(/JSZ reply could not be used: gzip body inflates beyond/);
  });
});
