/**
 * Names in the HTML report come from servers: server, cluster, account and
 * stream names, the meta leader each server names, the step-down commands
 * built from them. Hostile ones (markup, quotes, entities, look-alike
 * Unicode) must come out as text: the page still reads as exactly the
 * renderer's own elements and attributes, and every name is shown as given.
 *
 * Replay a failure with the seed and path fast-check prints:
 *   FAST_CHECK_SEED=... FAST_CHECK_PATH=... npx vitest run --project unit test/unit/hostile/html-report.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { natscli } from '../../../lib/checks/natscli.js';
import { pageOf, readPage } from '../../support/html-page.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';
import { T0, healthyReplies, partitioned, replicatedStreams, sample } from '../../support/sample-builder.js';

const ATTACKS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</style><script>alert(1)</script>',
  '</title><svg onload=alert(1)>',
  '<!--',
  '-->',
  ']]>',
  '&lt;b&gt;',
  '&amp;',
  'javascript:alert(1)',
  'url(http://x/)',
  '\u202enimda',
  'n1\u200b',
  '😀<',
];

/** A name as a reply may carry it: no control characters (the parsers refuse those), not blank. */
const hostileName = fc
  .oneof(
    fc.constantFrom(...ATTACKS),
    fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '/', '=', ' ', 'a', 'n', '1', '#', ';', '`', '\\'), minLength: 1, maxLength: 24 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  )
  .filter((s) => s.trim() !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(s));

const hostileNames = fc.record({
  servers: fc.uniqueArray(hostileName, { minLength: 3, maxLength: 3 }),
  cluster: hostileName,
  account: hostileName,
  streamPrefix: hostileName,
});

type Names = { servers: string[]; cluster: string; account: string; streamPrefix: string };

/** Two epochs: the first server leads every stream, the third is cut off from the others. */
async function hostilePage(names: Names): Promise<string> {
  const [a, b, c] = names.servers as [string, string, string];
  const replies = healthyReplies({
    names: names.servers,
    base: { cluster: names.cluster },
    streams: { [a]: replicatedStreams(6, a, [b, c], { prefix: names.streamPrefix, account: names.account }) },
  });
  const epoch = (startedAt: number) => sample({ startedAt, replies, vantages: partitioned([a, b], [c]) });
  return pageOf([epoch(T0), epoch(T0 + 60_000)], names.cluster);
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

async function checkHostileNames(names: Names): Promise<void> {
  // Act
  const page = await hostilePage(names);

  // Assess: only the renderer's own markup...
  const reading = readPage(page);
  expect(reading.elements).not.toContain('script');
  // ...and every name shown as given, in the text and in the data attributes tests and tools read.
  for (const name of [...names.servers, names.cluster, names.account]) expect(reading.text).toContain(squash(name));
  expect(reading.text).toContain(squash(natscli.streamStepDown(`${names.streamPrefix}01`)));
  for (const server of names.servers) expect(reading.attributeValues).toContain(server);
}

describe('hostile names in the HTML report (property-based)', () => {
  it('names that are Object.prototype properties are names like any other', async () => {
    await checkHostileNames({ servers: ['__proto__', 'constructor', 'toString'], cluster: '__proto__', account: 'hasOwnProperty', streamPrefix: '__proto__' });
  });

  it('the known attacks as server names come out as text', async () => {
    await checkHostileNames({ servers: ATTACKS.slice(0, 3), cluster: ATTACKS[3]!, account: ATTACKS[4]!, streamPrefix: ATTACKS[1]! });
  });

  it('300 sets of hostile server, cluster, account and stream names: the page is only the renderer\'s markup, every name text', async () => {
    await fc.assert(fc.asyncProperty(hostileNames, checkHostileNames), propertyRuns(300));
  }, propertyTimeout(120_000));
});
