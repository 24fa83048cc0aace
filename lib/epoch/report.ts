import type { Severity } from '../checks/types.js';
import type { CheckRun } from './judge.js';
import type { Finding, ResolvedFinding } from './lifecycle.js';
import type { Observation } from '../observation/types.js';
import type { Confirmation } from './confirmation.js';

export const REPORT_TYPE = 'io.nats-audit.v1.report' as const;

export type Status = 'ok' | 'warning' | 'critical' | 'unknown';

/** Exit codes as Nagios plugins and `nats server check` use them. */
export const EXIT_CODES: Readonly<Record<Status, number>> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

export interface ServerSummary {
  readonly name: string;
  readonly id: string;
  readonly cluster: string | null;
  readonly domain: string | null;
  readonly version: string;
  readonly jetstream: boolean;
  readonly metaLeader: string | null;
  readonly metaTerm: number | null;
  readonly latencyMs: number;
  readonly clockSkewMs: number | null;
  readonly heardVia: number;
}

export interface ReportFinding {
  readonly check: string;
  readonly severity: Severity;
  readonly subject: string;
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly remediation: readonly string[];
  readonly lifecycle: {
    readonly state: 'new' | 'ongoing';
    readonly persistent: boolean;
    readonly firstSeen: string;
    readonly epochs: number;
    readonly transition: string;
    readonly known: boolean;
  };
}

export interface ReportResolved {
  readonly check: string;
  /** Severity when last seen. */
  readonly severity: Severity;
  /** The worst severity while it was open; notifications route the resolution by it. */
  readonly peakSeverity: Severity;
  readonly subject: string;
  readonly summary: string;
  readonly firstSeen: string;
  readonly resolvedAt: string;
  readonly epochs: number;
}

/** The versioned shape shared by `--format json` and notifications. */
export interface Report {
  readonly type: typeof REPORT_TYPE;
  readonly status: Status;
  readonly cluster: string;
  readonly epoch: { readonly id: number; readonly startedAt: string; readonly durationMs: number };
  readonly counts: { readonly critical: number; readonly warning: number; readonly resolved: number };
  readonly servers: readonly ServerSummary[];
  readonly findings: readonly ReportFinding[];
  readonly resolved: readonly ReportResolved[];
  readonly checks: readonly CheckRun[];
  readonly notices: readonly string[];
  /** Present when the epoch saw signs of an election and sampled again before deciding. */
  readonly confirmation?: Confirmation;
}

export function statusOf(findings: readonly { severity: Severity }[]): Status {
  if (findings.some((f) => f.severity === 'critical')) return 'critical';
  if (findings.length > 0) return 'warning';
  return 'ok';
}

export function buildReport(input: {
  cluster: string;
  epochId: number;
  observation: Pick<Observation, 'startedAt' | 'servers'>;
  durationMs: number;
  findings: readonly Finding[];
  resolved: readonly ResolvedFinding[];
  runs: readonly CheckRun[];
  notices: readonly string[];
  confirmation?: Confirmation;
}): Report {
  const severityRank = (s: Severity) => (s === 'critical' ? 0 : 1);
  const findings = [...input.findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  return {
    type: REPORT_TYPE,
    status: statusOf(findings),
    cluster: input.cluster,
    epoch: { id: input.epochId, startedAt: iso(input.observation.startedAt), durationMs: Math.round(input.durationMs) },
    counts: {
      critical: findings.filter((f) => f.severity === 'critical').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      resolved: input.resolved.length,
    },
    servers: input.observation.servers.map((s) => ({
      name: s.name,
      id: s.id,
      cluster: s.cluster ?? null,
      domain: s.domain ?? null,
      version: s.version,
      jetstream: s.jetstream,
      metaLeader: s.meta?.leader || null,
      metaTerm: s.metaTerm ?? null,
      latencyMs: Math.round(s.latencyMs),
      clockSkewMs: s.clock ? Math.round(s.clock.skewMs) : null,
      heardVia: s.heardVia.length,
    })),
    findings: findings.map((f) => ({
      check: f.check,
      severity: f.severity,
      subject: f.subject,
      summary: f.summary,
      details: f.details,
      remediation: f.remediation,
      lifecycle: { ...f.lifecycle, firstSeen: iso(f.lifecycle.firstSeen) },
    })),
    resolved: input.resolved.map((r) => ({
      check: r.check,
      severity: r.severity,
      peakSeverity: r.peakSeverity,
      subject: r.subject,
      summary: r.summary,
      firstSeen: iso(r.firstSeen),
      resolvedAt: iso(r.resolvedAt),
      epochs: r.epochs,
    })),
    checks: input.runs,
    notices: input.notices,
    ...(input.confirmation ? { confirmation: input.confirmation } : {}),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
