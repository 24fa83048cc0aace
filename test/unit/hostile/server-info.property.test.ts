/**
 * The envelope's `server` block is read by plain tests (`validServerInfo`)
 * and by zod only when those refuse it. Property: both give the same
 * verdict, and the same result when valid, on generated blocks mixing real
 * values with the wrong types, empty, over-long and control-character names,
 * and timestamps Go would and would not send.
 *
 * Replay a failure with the seed and path fast-check prints (see property-runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serverInfoSchema, validServerInfo } from '../../../lib/replies/envelope.js';
import { MAX_NAME_CHARS } from '../../../lib/replies/names.js';
import { propertyRuns } from '../../support/property-runs.js';

const wrongType = fc.constantFrom<unknown>(null, 0, 1.5, true, false, [], {}, ['n1']);
// Mostly valid, so that blocks wrong in one field only are common: that is where the two could differ.
const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('n1', 'nats-a', 'NBXKLOEG3ZGW7JDGP5KKEQLDJR6T2XBHPSV4L6OU5YUXLMQRIAQHL6XO') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(MAX_NAME_CHARS), 'x'.repeat(MAX_NAME_CHARS + 1), 'n\u0001', 'n\u007f', 'n\u009f', 'n\u00a0', '𝕟𝟙') },
  { weight: 1, arbitrary: wrongType },
);
const time = fc.oneof(
  fc.constantFrom(
    '2026-11-23T14:27:45.566367214Z',
    '2026-11-23T14:27:45Z',
    '2026-11-23T14:27:45.5+02:00',
    '2026-11-23T14:27:45.1234567890Z',
    '2026-13-45T99:99:99Z',
    '2026-11-23 14:27:45Z',
    '',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.string({ maxLength: 8 }),
  wrongType,
);
const block = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record(
      {
        name,
        id: name,
        host: name,
        cluster: name,
        domain: name,
        ver: fc.oneof(fc.constantFrom('2.9.10', '2.10.27', '2.15.1'), name),
        jetstream: fc.oneof(fc.boolean(), wrongType),
        time,
        seq: fc.integer(),
        tags: fc.array(fc.string(), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.oneof(wrongType, fc.string({ maxLength: 4 })) },
);

describe('the server block read without zod (property-based)', () => {
  it('accepts exactly what the zod schema accepts, with the same result', () => {
    fc.assert(
      fc.property(block, (raw) => {
        const viaZod = serverInfoSchema.safeParse(raw);
        const viaTests = validServerInfo(raw);
        expect(viaTests !== undefined).toBe(viaZod.success);
        if (viaZod.success) expect(viaTests).toEqual(viaZod.data);
      }),
      propertyRuns(5_000),
    );
  });

  it('reads a real block, and refuses one without a name', () => {
    const real = { name: 'n1', id: 'NBX', host: '0.0.0.0', cluster: 'c1', domain: '', ver: '2.15.1', jetstream: true, time: '2026-11-23T14:27:45.566367214Z', seq: 7 };
    expect(validServerInfo(real)).toEqual({ name: 'n1', id: 'NBX', host: '0.0.0.0', cluster: 'c1', domain: undefined, version: '2.15.1', time: Date.parse('2026-11-23T14:27:45.566Z'), jetstream: true });
    expect(validServerInfo({ ...real, name: '' })).toBeUndefined();
  });
});
