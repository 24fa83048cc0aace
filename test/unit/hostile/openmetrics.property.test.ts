/**
 * Hostile names in OpenMetrics label values: server names and NATS cluster
 * names come from servers, the cluster key from the operator. Whatever they
 * hold (quotes, backslashes, line feeds, `}` and `,`, `# EOF`, lone UTF-16
 * surrogates, any Unicode), the exposition stays valid, each family whole,
 * every sample on its own line, and each value reads back as given (a lone
 * surrogate as U+FFFD, the only form UTF-8 has for it; two names alike but
 * for that keep the first one's series, never a duplicate).
 *
 * Replay a failure: FAST_CHECK_SEED=... FAST_CHECK_PATH=... npx vitest run --project unit test/unit/hostile
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observation, ServerObservation } from '../../../lib/observation/types.js';
import { formatOpenMetrics } from '../../../lib/report/openmetrics.js';
import { parseExposition } from '../../support/exposition.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';
import { report } from '../../support/report-fixtures.js';

/** Strings built to break a naive writer, mixed with arbitrary Unicode. */
const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom('"', '\\', '\n', '\r', '}', '{', ',', '=', ' ', '# EOF', '\uD800', '\uDC00', '😀', 'n', '\u0000', '\u2028'), { maxLength: 12 }).map((a) => a.join('')),
);

function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function server(name: string, cluster: string, streams: number): ServerObservation {
  return { name, id: `ID${name.length}`, host: '127.0.0.1', cluster, version: '2.12.1', jetstream: true, latencyMs: 1, heardVia: [], streamsLeader: streams, consumersLeader: 1 };
}

describe('OpenMetrics label values from hostile names', () => {
  it(
    'stay valid OpenMetrics and read back as given',
    () => {
      fc.assert(
        fc.property(fc.uniqueArray(hostileName, { minLength: 1, maxLength: 4 }), hostileName, hostileName, (names, natsCluster, clusterKey) => {
          // Prepare
          const servers = names.map((n, i) => server(n, natsCluster, i + 2));
          const observation: Pick<Observation, 'servers' | 'groups' | 'expectedServerCount'> = { servers, groups: [], expectedServerCount: servers.length };

          // Act
          const text = formatOpenMetrics([{ cluster: clusterKey, report: report(), observation }]);

          // Assess
          expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
          const samples = parseExposition(text);
          expect(new Set(samples.map((s) => s.labels.cluster))).toEqual(new Set([wellFormed(clusterKey)]));
          const leaders = samples.filter((s) => s.name === 'nats_audit_server_leaders');
          expect(new Set(leaders.map((s) => s.labels.server))).toEqual(new Set(names.map(wellFormed)));
          expect(new Set(leaders.map((s) => s.labels.nats_cluster))).toEqual(new Set([wellFormed(natsCluster)]));
          // A name alike another once made UTF-8 keeps the first one's series.
          const first = new Map<string, ServerObservation>();
          for (const s of servers) if (!first.has(wellFormed(s.name))) first.set(wellFormed(s.name), s);
          for (const s of first.values()) {
            const streams = leaders.find((l) => l.labels.server === wellFormed(s.name) && l.labels.kind === 'stream');
            expect(streams?.value).toBe(s.streamsLeader);
          }
        }),
        propertyRuns(3_000),
      );
    },
    propertyTimeout(60_000),
  );
});
