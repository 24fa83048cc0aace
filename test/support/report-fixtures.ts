/** Findings and reports built by hand, for the report and its renderings. */
import type { CheckRun } from '../../lib/epoch/judge.js';
import type { Finding, ResolvedFinding } from '../../lib/epoch/lifecycle.js';
import { observe } from '../../lib/observation/observe.js';
import { buildReport, type Report } from '../../lib/epoch/report.js';
import { T0, healthyReplies, jsz, sample, servers } from './sample-builder.js';

export const MINUTE = 60_000;

export function finding(overrides: Partial<Finding> & Pick<Finding, 'check' | 'subject' | 'severity'>): Finding {
  return {
    summary: `${overrides.check} about ${overrides.subject}`,
    details: {},
    remediation: ['Do the first thing.', 'Verify.'],
    lifecycle: { state: 'new', persistent: false, firstSeen: T0, epochs: 1, transition: 'new', known: true },
    ...overrides,
  };
}

export const unevenWarning = finding({
  check: 'uneven_leader_distribution',
  subject: 'cluster:c1',
  severity: 'warning',
  summary: 'Leaders concentrated in cluster c1: n1 leads 6 streams (2.0x the average of 3.0)',
  details: {
    counts: {
      n1: { streams: 6, consumers: 0, total: 6 },
      n2: { streams: 2, consumers: 1, total: 3 },
    },
  },
  remediation: ['Step down these groups on n1:', 'nats stream cluster step-down S1'],
  lifecycle: { state: 'ongoing', persistent: true, firstSeen: T0 - 2 * MINUTE, epochs: 3, transition: 'unchanged', known: true },
});

export const disagreementCritical = finding({
  check: 'meta_leader_disagreement',
  subject: 'meta:default',
  severity: 'critical',
  summary: '2 servers each claim to be the JetStream meta leader (n1, n2): n1 says n1; n2, n3 say n2',
});

export const resolvedSkew: ResolvedFinding = {
  check: 'clock_skew',
  subject: 'server:n3',
  severity: 'warning',
  peakSeverity: 'warning',
  summary: "n3's clock is 900 ms behind the auditor's",
  firstSeen: T0 - 5 * MINUTE,
  resolvedAt: T0,
  epochs: 1,
};

/** A three-server observation where n3 knows no leader and runs 1.5 s ahead. */
export function observation() {
  const { n3 } = servers(['n3']);
  return observe(
    sample({
      replies: { ...healthyReplies(), n3: { jsz: jsz({ ...n3, version: '2.10.29', clockOffsetMs: 1500 }, { meta: { leader: null } }) } },
      latencyMs: { n2: 12.4 },
    }),
  );
}

export function report(input: {
  findings?: readonly Finding[];
  resolved?: readonly ResolvedFinding[];
  runs?: readonly CheckRun[];
  notices?: readonly string[];
  servers?: boolean;
} = {}): Report {
  const observed = observation();
  return buildReport({
    cluster: 'prod-east',
    epochId: 7,
    observation: input.servers === false ? { ...observed, servers: [] } : observed,
    durationMs: 1234.4,
    findings: input.findings ?? [],
    resolved: input.resolved ?? [],
    runs: input.runs ?? [],
    notices: input.notices ?? [],
  });
}
