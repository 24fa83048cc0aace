/**
 * Hostile replies through the saved-sample path:
 *
 * - the JSZ shortcut (`validJszData`) gives exactly zod's verdict and result
 *   on mutated JSZ data, so skipping zod for valid replies changes nothing;
 * - a mutated sample saved in the v2 format and read back is judged exactly
 *   as it was live: same findings, same servers (a body that is not JSON, or
 *   whose value would read differently, stays text).
 *
 * Replay a failure with the seed and path fast-check prints (see property-runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jszDataSchema, validJszData } from '../../../lib/replies/jsz.js';
import type { Endpoint, RawSample } from '../../../lib/domain/raw-sample.js';
import { decodeSampleLines, encodeSampleLines } from '../../../lib/sampling/sample-lines.js';
import { auditEpoch, dataOf, hostileBody, hostileCase, mutatedBody, recordedSample, recordedCluster, type HostileCase } from '../../support/hostile-replies.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';

/** What writeSampleFile writes and readSampleFile reads, without gzip and the disk. */
async function saveAndRead(sample: RawSample): Promise<RawSample> {
  const text = [...encodeSampleLines(sample)].join('');
  async function* lines(): AsyncGenerator<string> {
    yield* text.split('\n');
  }
  return decodeSampleLines(lines());
}

async function checkRoundTrip(c: HostileCase): Promise<void> {
  // Prepare
  const live = recordedSample(recordedCluster(c.cluster), c);
  // Act
  const saved = await saveAndRead(live);
  const [before, after] = [(await auditEpoch(live)).report, (await auditEpoch(saved)).report];
  // Assess
  expect(after.findings).toEqual(before.findings);
  expect(after.servers).toEqual(before.servers);
  expect(after.status).toBe(before.status);
}

describe('hostile replies through a saved sample (property-based)', () => {
  it('the JSZ shortcut accepts exactly what the zod schema accepts, with the same result', () => {
    fc.assert(
      fc.property(hostileBody('JSZ'), (hostile) => {
        const { found, data } = dataOf(mutatedBody('JSZ', hostile).body);
        fc.pre(found);
        const viaZod = jszDataSchema.safeParse(data);
        const viaShortcut = validJszData(data);
        expect(viaShortcut !== undefined).toBe(viaZod.success);
        if (viaZod.success) expect(viaShortcut).toEqual(viaZod.data);
      }),
      propertyRuns(3_000),
    );
  }, propertyTimeout(120_000));

  const RUNS: Record<Endpoint, number> = { JSZ: 300, ROUTEZ: 150, RAFTZ: 150 };
  for (const endpoint of ['JSZ', 'ROUTEZ', 'RAFTZ'] as const) {
    it(`${endpoint}: ${RUNS[endpoint]} mutated samples saved and read back give the live findings`, async () => {
      await fc.assert(fc.asyncProperty(hostileCase(endpoint), checkRoundTrip), propertyRuns(RUNS[endpoint]));
    }, propertyTimeout(120_000));
  }
});
