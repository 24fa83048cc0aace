import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../support/exposition.js';
import { FIXTURE_CLUSTER, SCENARIOS, renderScenario, scenarioLabel, type RenderedEpoch, type Scenario } from '../../support/openmetrics-scenarios.js';

/**
 * The shipped alert rules, run by Debian's promtool over series derived from
 * epochs recorded on a real cluster. Which alert fires in which epoch is not
 * written down here: it is read from the JSON report of the same epoch (a
 * persistent finding of the alert's check, at its severity), the view the
 * notifications act on, so the rules are held to the notifications'
 * semantics. promtool missing fails the suite (`apt-get install prometheus`).
 */
const RULES = resolve('prometheus/nats-audit.rules.yml');
const run = promisify(execFile);

/** Alert name -> the check whose persistent findings it stands for. */
const FINDING_ALERTS = {
  NatsAuditMetaLeaderDisagreement: 'meta_leader_disagreement',
  NatsAuditNoMetaLeader: 'meta_no_leader',
  NatsAuditUnevenLeaderDistribution: 'uneven_leader_distribution',
  NatsAuditServerMissing: 'server_missing',
} as const;

/** Scrape interval of the derived series: one epoch a minute, the README's schedule. */
const EPOCH_MINUTES = 1;
/** Minutes the last exposition keeps being served unchanged (a textfile that is no longer rewritten). */
const FROZEN_MINUTES = 7;
/** The stale rule's threshold, in minutes. */
const STALE_AFTER_MINUTES = 5;

async function promtool(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run('promtool', args, { timeout: 60_000 });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool not found: install Debian\'s prometheus package (apt-get install -y prometheus)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Each alert's annotations with the cluster filled in, read from the rules file (only `{{ $labels.cluster }}` is templated). */
function annotationsOf(alert: string, cluster: string): Record<string, string> {
  const text = readFileSync(RULES, 'utf8');
  const block = text.split('- alert: ').find((b) => b.startsWith(`${alert}\n`));
  if (!block) throw new Error(`${alert} not in ${RULES}`);
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/^\s+(summary|description): '((?:[^']|'')*)'$/gm)) {
    out[m[1]!] = m[2]!.replaceAll("''", "'").replaceAll('{{ $labels.cluster }}', cluster);
  }
  return out;
}

interface SeriesInput {
  series: string;
  values: string;
}

/**
 * The scrapes of one scenario: epoch i at minute i, then the last epoch's
 * text served unchanged. The epoch-end timestamp is rebased onto promtool's
 * clock (minute i), which starts at zero.
 */
function inputSeries(epochs: readonly RenderedEpoch[]): SeriesInput[] {
  const parsed = epochs.map((e) => parseExposition(e.exposition));
  const all = [...new Set(parsed.flatMap((samples) => samples.map((s) => s.series)))];
  const scrapes = [...parsed, ...Array.from({ length: FROZEN_MINUTES }, () => parsed.at(-1)!)];
  return all.map((series) => ({
    series,
    values: scrapes
      .map((samples, i) => {
        const sample = samples.find((s) => s.series === series);
        if (!sample) return '_';
        if (sample.name === 'nats_audit_last_epoch_timestamp_seconds') return String(Math.min(i, epochs.length - 1) * EPOCH_MINUTES * 60);
        return String(sample.value);
      })
      .join(' '),
  }));
}

function expectedFindingAlerts(epoch: RenderedEpoch, alert: keyof typeof FINDING_ALERTS) {
  const severities = new Set(epoch.report.findings.filter((f) => f.check === FINDING_ALERTS[alert] && f.lifecycle.persistent).map((f) => f.severity));
  return [...severities].map((severity) => ({
    exp_labels: { cluster: FIXTURE_CLUSTER, severity },
    exp_annotations: annotationsOf(alert, FIXTURE_CLUSTER),
  }));
}

function testCase(scenario: Scenario, epochs: readonly RenderedEpoch[]) {
  const alertTests: unknown[] = [];
  epochs.forEach((epoch, i) => {
    for (const alert of Object.keys(FINDING_ALERTS) as (keyof typeof FINDING_ALERTS)[]) {
      alertTests.push({ eval_time: `${i * EPOCH_MINUTES}m`, alertname: alert, exp_alerts: expectedFindingAlerts(epoch, alert) });
    }
    alertTests.push({ eval_time: `${i * EPOCH_MINUTES}m`, alertname: 'NatsAuditStale', exp_alerts: [] });
  });
  const last = (epochs.length - 1) * EPOCH_MINUTES;
  alertTests.push({ eval_time: `${last + STALE_AFTER_MINUTES}m`, alertname: 'NatsAuditStale', exp_alerts: [] });
  alertTests.push({
    eval_time: `${last + STALE_AFTER_MINUTES + 1}m`,
    alertname: 'NatsAuditStale',
    exp_alerts: [{ exp_labels: { cluster: FIXTURE_CLUSTER, severity: 'warning' }, exp_annotations: annotationsOf('NatsAuditStale', FIXTURE_CLUSTER) }],
  });
  alertTests.push({ eval_time: `${last + FROZEN_MINUTES}m`, alertname: 'NatsAuditMetricsAbsent', exp_alerts: [] });
  return { name: scenarioLabel(scenario), interval: `${EPOCH_MINUTES}m`, input_series: inputSeries(epochs), alert_rule_test: alertTests };
}

describe('prometheus/nats-audit.rules.yml with promtool', () => {
  let dir: string;
  const rendered = new Map<Scenario, RenderedEpoch[]>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-audit-promtool-'));
    for (const scenario of SCENARIOS) rendered.set(scenario, await renderScenario(scenario));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check rules', async () => {
    const { stdout } = await promtool('check', 'rules', RULES);
    expect(stdout).toContain('SUCCESS: 6 rules found');
  });

  it('the recorded epochs hold what the rules must tell apart', () => {
    // Assess: without these the test below could pass without proving the semantics.
    const all = [...rendered.values()].flat().map((e) => e.report);
    const findings = all.flatMap((r) => r.findings);
    const transientCritical = findings.filter((f) => f.check === 'meta_leader_disagreement' && f.severity === 'critical' && !f.lifecycle.persistent);
    expect(transientCritical.length, 'a critical disagreement while transient (an election may be under way)').toBeGreaterThan(0);
    for (const check of Object.values(FINDING_ALERTS)) {
      expect(findings.some((f) => f.check === check && f.lifecycle.persistent), `${check} persistent somewhere`).toBe(true);
      expect(findings.some((f) => f.check === check && !f.lifecycle.persistent), `${check} transient somewhere`).toBe(true);
    }
  });

  it('fires exactly on the persistent findings of real epochs, never on a transient one, and on a stale audit', async () => {
    // Prepare
    const tests = SCENARIOS.map((s) => testCase(s, rendered.get(s)!));
    tests.push({
      name: 'no nats-audit metrics at all',
      interval: '1m',
      input_series: [{ series: 'up{job="nats-audit"}', values: '0x15' }],
      alert_rule_test: [
        { eval_time: '9m', alertname: 'NatsAuditMetricsAbsent', exp_alerts: [] },
        { eval_time: '10m', alertname: 'NatsAuditMetricsAbsent', exp_alerts: [{ exp_labels: { severity: 'warning' }, exp_annotations: annotationsOf('NatsAuditMetricsAbsent', '') }] },
      ],
    } as never);
    const file = join(dir, 'tests.json');
    // promtool reads YAML; JSON is YAML.
    writeFileSync(file, JSON.stringify({ rule_files: [RULES], evaluation_interval: '1m', tests }, null, 1));

    // Act
    const { stdout } = await promtool('test', 'rules', file);

    // Assess
    expect(stdout).toContain('SUCCESS');
  });
});
