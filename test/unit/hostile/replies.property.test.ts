/**
 * Hostile replies, mutated from the recorded ones (wrong types, missing
 * fields, huge numbers, deep nesting, truncated or random bytes, another
 * server's name, duplicates, errors, statuses), at two levels:
 *
 * - each endpoint's parser alone, many cases: it never throws, answers
 *   quickly, and says what is wrong in one short line, still naming the
 *   server when the envelope survived;
 * - a whole epoch (observe, every check, lifecycle, report) over a
 *   three-server sample in which one server's reply is mutated through some
 *   vantages: it finishes quickly without throwing or a check failing, every
 *   reply that cannot be used is a finding about the server that sent it
 *   (never about an innocent one), and the other servers' data still counts.
 *
 * Replay a failure with the seed and path fast-check prints:
 *   FAST_CHECK_SEED=... FAST_CHECK_PATH=... npx vitest run --project unit test/unit/hostile
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROBLEM_CHARS, parseJszReply, parseRaftzReply, parseRoutezReply } from '../../../lib/replies/index.js';
import { MAX_NAME_CHARS } from '../../../lib/replies/names.js';
import { formatText } from '../../../lib/report/text-report.js';
import type { ParsedReply } from '../../../lib/replies/types.js';
import type { Report, ReportFinding } from '../../../lib/epoch/report.js';
import { serverIdOf } from '../../../lib/domain/reply-identity.js';
import type { Endpoint, RawReply } from '../../../lib/domain/raw-sample.js';
import {
  auditEpoch,
  RECORDED_CLUSTERS,
  hostileBody,
  hostileCase,
  mutatedBody,
  mutatedReplies,
  recordedCluster,
  recordedSample,
  vantageUrl,
  type HostileBody,
  type HostileCase,
  type RecordedCluster,
} from '../../support/hostile-replies.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';

/*
 * No per-case time bound: a hang or a blow-up (quadratic work, a runaway
 * regex) over thousands of cases still ends the property at its timeout,
 * and a wall-clock bound per case would only measure the machine's load.
 */
/** Characters that must not reach a terminal or a notification from a reply. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** A hostile reply may add findings, never megabytes: problems are clipped, evidence capped. */
const REPORT_GROWTH_BOUND_CHARS = 64 * 1024;

const parsers: Record<Endpoint, (body: string) => ParsedReply<unknown>> = {
  JSZ: parseJszReply,
  ROUTEZ: parseRoutezReply,
  RAFTZ: parseRaftzReply,
};

interface Baseline {
  readonly report: Report;
  readonly size: number;
}

const baselines = new Map<string, Baseline>();
async function baseline(cluster: RecordedCluster): Promise<Baseline> {
  let found = baselines.get(cluster.label);
  if (!found) {
    const { report } = await auditEpoch(recordedSample(cluster));
    found = { report, size: JSON.stringify(report).length };
    baselines.set(cluster.label, found);
  }
  return found;
}

const invalidReplyFindings = (report: Report): ReportFinding[] => report.findings.filter((f) => f.check === 'server_reply_invalid');

/** What one mutated reply must lead to, judged from the reply alone. */
interface Expectation {
  readonly vantage: string;
  /** The reply cannot be used, so some finding must say so through this vantage. */
  readonly mustReport: boolean;
  /** Servers such a finding may name (null: the reply could not say who sent it). */
  readonly mayName: ReadonlySet<string | null>;
  /** The identity the reply claims when its envelope could be read. */
  readonly claims?: { readonly name: string; readonly id: string };
}

function expectationsOf(c: HostileCase, cluster: RecordedCluster): Expectation[] {
  const victim = cluster.servers[c.victim]!;
  const original = victim.replies[c.endpoint]!;
  const reply: RawReply = { latencyMs: 4, receivedAt: 0, wireBytes: original.length, body: original };
  const others = cluster.servers.filter((_, i) => i !== c.victim);
  const out: Expectation[] = [];
  for (const v of c.through) {
    const vantage = vantageUrl(cluster.servers[v]!);
    for (const r of mutatedReplies(reply, c.mutation, { others })) {
      if (r.body === undefined) {
        // A bare 503 is NATS saying nobody serves the subject: no server's reply at all.
        out.push({ vantage, mustReport: r.status !== 503, mayName: new Set([victim.name, null]) });
        continue;
      }
      if (r.body === original) continue;
      const parsed = parsers[c.endpoint](r.body);
      // An envelope too broken to read may still show its server id near the top.
      const recovered = cluster.servers.find((s) => s.id === serverIdOf(r.body!));
      const claims = parsed.server ? { name: parsed.server.name, id: parsed.server.id } : recovered;
      const sameIdentity = claims?.name === victim.name && claims.id === victim.id;
      out.push({
        vantage,
        mustReport: !parsed.ok || !sameIdentity,
        mayName: new Set([victim.name, null, ...(claims ? [claims.name] : [])]),
        ...(claims ? { claims: { name: claims.name, id: claims.id } } : {}),
      });
    }
  }
  return out;
}

async function checkHostileCase(c: HostileCase): Promise<void> {
  const cluster = recordedCluster(c.cluster);
  const victim = cluster.servers[c.victim]!;
  const base = await baseline(cluster);

  // Act
  const { report } = await auditEpoch(recordedSample(cluster, c));

  // Assess: bounded in size, no check broke.
  expect(report.checks.filter((r) => r.outcome === 'error')).toEqual([]);
  expect(JSON.stringify(report).length).toBeLessThan(base.size + REPORT_GROWTH_BOUND_CHARS);
  expect(formatText(report)).not.toMatch(CONTROL);

  // Every unusable reply is reported through its vantage, naming its sender (or nobody).
  const expectations = expectationsOf(c, cluster);
  const invalid = invalidReplyFindings(report);
  for (const e of expectations.filter((x) => x.mustReport)) {
    const about = invalid.filter((f) => (f.details.vantages as string[]).includes(e.vantage) && f.details.endpoint === c.endpoint);
    expect(about.length, `no server_reply_invalid finding through ${e.vantage}`).toBeGreaterThan(0);
    for (const f of about) expect([...e.mayName]).toContain(f.details.server);
  }

  // No innocent server is accused, unless a reply claimed to be it.
  const claimed = new Set(expectations.flatMap((e) => (e.claims ? [e.claims.name] : [])));
  for (const other of cluster.servers) {
    if (other === victim || claimed.has(other.name)) continue;
    expect(invalid.filter((f) => f.details.server === other.name).map((f) => f.summary)).toEqual([]);
  }

  // The other servers' data still counts, unless a reply took over their whole identity everywhere.
  for (const other of cluster.servers) {
    if (other === victim) continue;
    const impersonatedEverywhere =
      c.endpoint === 'JSZ' &&
      c.through.length === cluster.servers.length &&
      expectations.some((e) => e.claims?.name === other.name && e.claims.id === other.id);
    if (impersonatedEverywhere) continue;
    const before = base.report.servers.find((s) => s.name === other.name)!;
    const after = report.servers.find((s) => s.name === other.name);
    expect(after, `${other.name} missing from the report`).toBeDefined();
    expect({ id: after!.id, metaLeader: after!.metaLeader }).toEqual({ id: before.id, metaLeader: before.metaLeader });
  }

  // The victim still counts through the vantages that carried its recorded reply.
  if (c.endpoint === 'JSZ' && c.through.length < cluster.servers.length) {
    expect(report.servers.map((s) => s.id)).toContain(victim.id);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false; // too deep to stringify (10k levels): certainly not the recorded block
  }
}

/** The envelope's `server` block as the mutated body still holds it, if the body is JSON at all. */
function serverBlockOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { server?: unknown } | null)?.server;
  } catch {
    return undefined;
  }
}

function checkHostileBody(endpoint: Endpoint, hostile: HostileBody): void {
  const { original, body } = mutatedBody(endpoint, hostile);

  // Act
  const parsed = parsers[endpoint](body);

  // Assess
  if (parsed.ok) {
    expect(parsed.server.name.length).toBeGreaterThan(0);
    expect(parsed.server.name.length).toBeLessThanOrEqual(MAX_NAME_CHARS);
    expect(parsed.server.id.length).toBeLessThanOrEqual(MAX_NAME_CHARS);
    return;
  }
  expect(parsed.problem.length).toBeGreaterThan(0);
  expect(parsed.problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
  expect(parsed.problem).not.toMatch(CONTROL);
  expect(parsed.problem).not.toMatch(/\n\s+at /);
  // The envelope survived: the problem is still about its server.
  if (sameJson(serverBlockOf(body), serverBlockOf(original))) {
    expect(parsed.server?.name).toBe((serverBlockOf(original) as { name: string }).name);
  }
}

describe('hostile replies (property-based, mutating recorded replies)', () => {
  it('the unmutated recordings audit cleanly: every server counted, no invalid reply', async () => {
    for (const cluster of RECORDED_CLUSTERS) {
      const { report } = await baseline(cluster);
      expect(report.servers.map((s) => s.name)).toEqual(cluster.servers.map((s) => s.name));
      expect(invalidReplyFindings(report)).toEqual([]);
      expect(report.checks.filter((r) => r.outcome === 'error')).toEqual([]);
    }
  });

  /** Runs per endpoint: parsers alone, then whole epochs (each costs ~30x a parse); 10,000 in all. */
  const RUNS: Record<Endpoint, { readonly parse: number; readonly epoch: number }> = {
    JSZ: { parse: 3_000, epoch: 800 },
    ROUTEZ: { parse: 2_500, epoch: 600 },
    RAFTZ: { parse: 2_500, epoch: 600 },
  };
  for (const endpoint of ['JSZ', 'ROUTEZ', 'RAFTZ'] as const) {
    const runs = RUNS[endpoint];
    it(`${endpoint} parser: ${runs.parse} mutated replies, never a throw, always one short line naming what is wrong`, () => {
      fc.assert(
        fc.property(hostileBody(endpoint), (hostile) => checkHostileBody(endpoint, hostile)),
        propertyRuns(runs.parse),
      );
    }, propertyTimeout(120_000));

    it(`${endpoint} epoch: ${runs.epoch} mutated replies among healthy ones, each bad one its own server's finding`, async () => {
      await fc.assert(fc.asyncProperty(hostileCase(endpoint), checkHostileCase), propertyRuns(runs.epoch));
    }, propertyTimeout(120_000));
  }
});
