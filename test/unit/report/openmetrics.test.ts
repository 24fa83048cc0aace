import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS, escapeLabelValue, formatOpenMetrics } from '../../../lib/report/openmetrics.js';
import type { CheckRun } from '../../../lib/epoch/judge.js';
import { parseExposition } from '../../support/exposition.js';
import { disagreementCritical, observation, report, unevenWarning } from '../../support/report-fixtures.js';

const RUNS: CheckRun[] = [
  { check: 'meta_leader_disagreement', outcome: 'findings' },
  { check: 'uneven_leader_distribution', outcome: 'findings' },
  { check: 'clock_skew', outcome: 'error', error: 'boom' },
  { check: 'route_missing', outcome: 'skipped' },
];

describe('OpenMetrics metric names', () => {
  it('are pinned: rules, dashboards and the README depend on them', () => {
    expect(Object.values(METRICS).map((m) => [m.name, m.labels.join(',')])).toEqual([
      ['nats_audit_status_code', 'cluster,status'],
      ['nats_audit_last_epoch_timestamp_seconds', 'cluster'],
      ['nats_audit_epoch_duration_seconds', 'cluster'],
      ['nats_audit_servers_answering', 'cluster'],
      ['nats_audit_servers_expected', 'cluster'],
      ['nats_audit_findings', 'cluster,check,severity,persistence'],
      ['nats_audit_check_error', 'cluster,check'],
      ['nats_audit_server_leaders', 'cluster,nats_cluster,server,kind'],
    ]);
  });

  it("follow Prometheus' conventions: one namespace, unit suffixes, no _total on gauges", () => {
    for (const m of Object.values(METRICS)) {
      expect(m.name).toMatch(/^nats_audit_[a-z_]+$/);
      expect(m.name).not.toMatch(/_total$|_count$|_sum$|_bucket$|_info$/);
      if ('unit' in m) expect(m.name.endsWith(`_${m.unit}`)).toBe(true);
      if (/seconds|timestamp|duration/.test(m.name)) expect(m).toHaveProperty('unit', 'seconds');
    }
  });

  it('are each documented in the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const m of Object.values(METRICS)) expect(readme).toContain(`\`${m.name}\``);
  });
});

describe('formatOpenMetrics', () => {
  it('renders status, findings by persistence with zeros pre-filled, check errors and leaders per server', () => {
    // Prepare
    const r = report({ findings: [unevenWarning, disagreementCritical], runs: RUNS });

    // Act
    const samples = parseExposition(formatOpenMetrics([{ cluster: r.cluster, report: r, observation: observation() }]));

    // Assess
    const find = (name: string, labels: Record<string, string>) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);
    expect(find('nats_audit_status_code', {})).toEqual([2]);
    expect(samples.find((s) => s.name === 'nats_audit_status_code')!.labels).toEqual({ cluster: 'prod-east', status: 'critical' });
    expect(find('nats_audit_findings', { check: 'uneven_leader_distribution', severity: 'warning', persistence: 'persistent' })).toEqual([1]);
    expect(find('nats_audit_findings', { check: 'uneven_leader_distribution', severity: 'warning', persistence: 'transient' })).toEqual([0]);
    expect(find('nats_audit_findings', { check: 'meta_leader_disagreement', severity: 'critical', persistence: 'transient' })).toEqual([1]);
    expect(find('nats_audit_findings', { check: 'meta_leader_disagreement', severity: 'critical', persistence: 'persistent' })).toEqual([0]);
    // Every check that ran gets all four combinations; a skipped one none.
    expect(find('nats_audit_findings', { check: 'clock_skew' })).toEqual([0, 0, 0, 0]);
    expect(find('nats_audit_findings', { check: 'route_missing' })).toEqual([]);
    expect(find('nats_audit_check_error', { check: 'clock_skew' })).toEqual([1]);
    expect(find('nats_audit_check_error', { check: 'meta_leader_disagreement' })).toEqual([0]);
    expect(find('nats_audit_servers_answering', {})).toEqual([3]);
    expect(find('nats_audit_epoch_duration_seconds', {})).toEqual([1.234]);
    expect(find('nats_audit_last_epoch_timestamp_seconds', {})).toEqual([(Date.parse(r.epoch.startedAt) + 1234) / 1000]);
    expect(find('nats_audit_server_leaders', { server: 'n1' })).toHaveLength(2);
  });

  it('an audit that could not run is unknown and keeps the last judged epoch time, with nothing else claimed', () => {
    // Act
    const samples = parseExposition(formatOpenMetrics([{ cluster: 'c', lastEpochEndMs: 1_800_000_000_500 }]));

    // Assess
    expect(samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['nats_audit_status_code', { cluster: 'c', status: 'unknown' }, 3],
      ['nats_audit_last_epoch_timestamp_seconds', { cluster: 'c' }, 1_800_000_000.5],
    ]);
  });

  it('keeps each family together across several clusters', () => {
    // Prepare
    const r = report({ runs: RUNS });

    // Act
    const text = formatOpenMetrics([
      { cluster: 'a', report: r, observation: observation() },
      { cluster: 'b', report: r, observation: observation() },
    ]);

    // Assess: parseExposition throws on a split or repeated family.
    const samples = parseExposition(text);
    expect(new Set(samples.map((s) => s.labels.cluster))).toEqual(new Set(['a', 'b']));
    expect(text.match(/^# TYPE nats_audit_status_code /gm)).toHaveLength(1);
  });
});

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
    ['lone \uD800 surrogate', 'lone \uFFFD surrogate'],
    ['pair 😀 kept', 'pair 😀 kept'],
  ])('%j', (input, expected) => {
    expect(escapeLabelValue(input)).toBe(expected);
  });
});
