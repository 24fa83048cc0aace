import { defineCheck } from './define-check.js';
import type { EpochSummary, FindingDraft } from './types.js';
import { quorumOf } from './meta-group.js';
import { natscli } from './natscli.js';
import { vantageFault } from './vantage-fault.js';

/**
 * Missing servers named in a finding each; the rest are counted in one.
 * Far more than a real outage names, and a bound on a reply that claims a
 * thousand-server meta group listing a thousand strangers.
 */
export const MAX_NAMED_MISSING = 10;

export const serverMissing = defineCheck({
  id: 'server_missing',
  title: 'Server missing',
  description:
    'An expected server did not answer from any vantage (expected: --expect-servers, else the largest meta cluster_size reported or the members the meta leader lists). Critical when so many are missing that the rest cannot form a quorum.',
  reads: ['JSZ'],
  severities: ['warning', 'critical'],
  thresholds: [],
  run({ observation, history }) {
    const answered = new Set(observation.servers.map((s) => s.name));
    if (answered.size === 0) return []; // cluster_unreachable speaks for this case
    const expected = observation.expectedServerCount;
    const missingCount = expected - answered.size;
    if (missingCount <= 0) return [];

    const severity = answered.size < quorumOf(expected) ? 'critical' : 'warning';
    const known = missingNames(observation.knownServerNames, history, answered, missingCount);
    const named = known.slice(0, MAX_NAMED_MISSING);
    const failedVantages = observation.vantages.flatMap((v) => {
      const fault = vantageFault(v);
      return fault ? [{ url: v.url, error: fault.error, ...(fault.lost.length > 0 ? { lostRequests: fault.lost } : {}) }] : [];
    });
    const common = { expected, answered: [...answered], failedVantages };
    const remediation = (who: string) => [
      `Check that nats-server is running on ${who} and not hung (a stopped or overloaded process answers nothing).`,
      'Check that its client and route ports are reachable from the other servers and from the auditor.',
      `Verify: \`${natscli.reportJetStream}\` lists ${expected} servers.`,
    ];

    const findings: FindingDraft[] = named.map((name) => ({
      subject: `server:${name}`,
      severity,
      summary: `${name} did not answer from any vantage (${answered.size} of ${expected} servers answered)`,
      details: { server: name, ...common },
      remediation: remediation(name),
    }));
    const unnamed = missingCount - named.length;
    if (unnamed > 0) {
      const why = known.length > named.length ? `only ${MAX_NAMED_MISSING} are named one by one` : `no reply named ${unnamed === 1 ? 'it' : 'them'}`;
      findings.push({
        subject: 'servers:unnamed',
        severity,
        summary: `${unnamed} more of ${expected} expected servers did not answer and ${why}`,
        details: { missing: unnamed, ...common },
        remediation: remediation('every server of the cluster'),
      });
    }
    return findings;
  },
});

/**
 * Names for the silent servers: those this epoch's replies mention first (a
 * leader's replica list, routes), then, while fewer than are missing, names
 * earlier epochs knew, most recent first. A server that dies after the leader
 * it was known through is thus still named.
 */
function missingNames(
  knownNow: readonly string[],
  history: readonly EpochSummary[],
  answered: ReadonlySet<string>,
  missingCount: number,
): string[] {
  const named = knownNow.filter((n) => !answered.has(n));
  for (const epoch of [...history].reverse()) {
    for (const name of epoch.knownServers ?? []) {
      if (named.length >= missingCount) return named;
      if (!answered.has(name) && !named.includes(name)) named.push(name);
    }
  }
  return named;
}
