/**
 * ROUTEZ and RAFTZ `data` are read by plain tests (`validRoutezData`,
 * `validRaftzData`) and by zod only when those refuse it, so a CLI start
 * that meets only valid replies never builds those schemas. Property, on
 * bodies mutated from the recorded replies of 2.9 to 2.15: the two give the
 * same verdict, and the same result when valid. The one allowed difference
 * is a `__proto__` key in a record, which zod skips and the plain tests
 * refuse, handing the data to zod.
 *
 * Replay a failure with the seed and path fast-check prints (see property-runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { raftzDataSchema, validRaftzData } from '../../../lib/replies/raftz.js';
import { routezDataSchema, validRoutezData } from '../../../lib/replies/routez.js';
import type { z } from 'zod';
import { dataOf, hostileBody, mutatedBody } from '../../support/hostile-replies.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';
import { expectSameVerdict } from '../../support/plain-verdict.js';

const readers = {
  ROUTEZ: { schema: routezDataSchema, shortcut: validRoutezData },
  RAFTZ: { schema: raftzDataSchema, shortcut: validRaftzData },
} satisfies Record<string, { schema: z.ZodType<unknown, unknown>; shortcut: (raw: unknown) => unknown }>;

describe('ROUTEZ and RAFTZ read without zod (property-based)', () => {
  for (const endpoint of ['ROUTEZ', 'RAFTZ'] as const) {
    it(`${endpoint}: the shortcut accepts exactly what the zod schema accepts, with the same result`, () => {
      const { schema, shortcut } = readers[endpoint];
      const seen = { accepted: 0, refused: 0 };
      fc.assert(
        fc.property(hostileBody(endpoint), (hostile) => {
          const { found, data } = dataOf(mutatedBody(endpoint, hostile).body);
          fc.pre(found);
          expectSameVerdict(data, schema.safeParse(data), shortcut(data), seen);
        }),
        propertyRuns(2_000),
      );
      // Both sides of the verdict were exercised, or the property proved little.
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    }, propertyTimeout(120_000));
  }

  it('read real replies, and refuse a wrong field', () => {
    const routez = { routes: [{ remote_id: 'NB', remote_name: 'n2', did_solicit: true, ip: '127.0.0.1', port: 6222, rtt: '1ms' }] };
    expect(validRoutezData(routez)).toEqual({ routes: [{ remoteId: 'NB', remoteName: 'n2', didSolicit: true, ip: '127.0.0.1', port: 6222 }] });
    expect(validRoutezData({ routes: null })).toEqual({ routes: [] });
    expect(validRoutezData({ routes: [{ remote_name: 'n2' }] })).toBeUndefined();

    const meta = { id: 'p1', state: 'LEADER', term: 3, leader: 'p1', committed: 9, applied: 9, peers: { p2: { name: 'n2' }, p3: { name: '' } } };
    expect(validRaftzData({ $SYS: { _meta_: meta, other: {} } })).toEqual({
      meta: { term: 3, state: 'LEADER', leaderPeer: 'p1', selfPeer: 'p1', peerNames: { p2: 'n2' }, committed: 9, applied: 9 },
    });
    expect(validRaftzData(null)).toEqual({ meta: undefined });
    expect(validRaftzData({ $SYS: { _meta_: { ...meta, term: '3' } } })).toBeUndefined();
    expect(validRaftzData(JSON.parse('{"$SYS":{"_meta_":{"id":"p1","state":"LEADER","term":3,"peers":{"__proto__":{"name":"n2"}}}}}'))).toBeUndefined();
  });
});
