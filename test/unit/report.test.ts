import { describe, expect, it } from 'vitest';
import { EXIT_CODES, REPORT_TYPE, statusOf } from '../../lib/epoch/report.js';
import { disagreementCritical, report, resolvedSkew, unevenWarning } from '../support/report-fixtures.js';
import { T0 } from '../support/sample-builder.js';

describe('buildReport', () => {
  it('has a versioned type and counts pre-filled with zero', () => {
    // Act
    const built = report();

    // Assess
    expect(built).toMatchObject({
      type: REPORT_TYPE,
      status: 'ok',
      cluster: 'prod-east',
      epoch: { id: 7, startedAt: new Date(T0).toISOString(), durationMs: 1234 },
      counts: { critical: 0, warning: 0, resolved: 0 },
      findings: [],
      resolved: [],
      checks: [],
      notices: [],
    });
    expect(REPORT_TYPE).toBe('io.nats-audit.v1.report');
  });

  it('lists critical findings first and counts each severity', () => {
    // Act
    const built = report({ findings: [unevenWarning, disagreementCritical], resolved: [resolvedSkew] });

    // Assess
    expect(built.status).toBe('critical');
    expect(built.findings.map((f) => f.check)).toEqual(['meta_leader_disagreement', 'uneven_leader_distribution']);
    expect(built.counts).toEqual({ critical: 1, warning: 1, resolved: 1 });
  });

  it('writes times as ISO 8601 and keeps lifecycle and details as they are', () => {
    // Act
    const built = report({ findings: [unevenWarning], resolved: [resolvedSkew] });

    // Assess
    expect(built.findings[0]).toEqual({
      check: 'uneven_leader_distribution',
      severity: 'warning',
      subject: 'cluster:c1',
      summary: unevenWarning.summary,
      details: unevenWarning.details,
      remediation: unevenWarning.remediation,
      lifecycle: { state: 'ongoing', persistent: true, firstSeen: '2026-01-01T11:58:00.000Z', epochs: 3, transition: 'unchanged', known: true },
    });
    expect(built.resolved).toEqual([
      {
        check: 'clock_skew',
        severity: 'warning',
        peakSeverity: 'warning',
        subject: 'server:n3',
        summary: resolvedSkew.summary,
        firstSeen: '2026-01-01T11:55:00.000Z',
        resolvedAt: '2026-01-01T12:00:00.000Z',
        epochs: 1,
      },
    ]);
  });

  it('summarises each server with nulls for what is unknown', () => {
    // Act
    const [n1, n2, n3] = report().servers;

    // Assess
    expect(n1).toEqual({
      name: 'n1',
      id: 'NN1',
      cluster: 'c1',
      domain: null,
      version: '2.9.10',
      jetstream: true,
      metaLeader: 'n1',
      metaTerm: null,
      latencyMs: 4,
      clockSkewMs: 0,
      heardVia: 3,
    });
    expect(n2?.latencyMs).toBe(12);
    expect(n3).toMatchObject({ metaLeader: null, clockSkewMs: 1500, version: '2.10.29' });
  });

  it('holds only JSON values (no Date, Map, Set, NaN), so --format json and notifications see what was built', () => {
    // Prepare
    const problems: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === null || typeof value === 'string' || typeof value === 'boolean' || value === undefined) return;
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) problems.push(`${path}: ${value}`);
        return;
      }
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
      if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
        return;
      }
      problems.push(`${path}: ${Object.prototype.toString.call(value)}`);
    };

    // Act
    walk(report({ findings: [unevenWarning, disagreementCritical], resolved: [resolvedSkew], notices: ['n'] }), 'report');

    // Assess
    expect(problems).toEqual([]);
  });
});

describe('statusOf and EXIT_CODES', () => {
  it('follow the Nagios convention', () => {
    expect(statusOf([])).toBe('ok');
    expect(statusOf([{ severity: 'warning' }])).toBe('warning');
    expect(statusOf([{ severity: 'warning' }, { severity: 'critical' }])).toBe('critical');
    expect(EXIT_CODES).toEqual({ ok: 0, warning: 1, critical: 2, unknown: 3 });
  });
});
