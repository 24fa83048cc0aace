/**
 * Real epochs recorded for the OpenMetrics fixtures and the Prometheus rule
 * tests (test/fixtures/openmetrics/README.md): each scenario is an ordered
 * list of samples gathered from a real cluster, judged here in order with
 * one state, so transient findings turn persistent as they did live.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRegistry } from '../../lib/checks/index.js';
import { DEFAULT_PERSISTENCE } from '../../lib/epoch/lifecycle.js';
import { runEpoch } from '../../lib/epoch/run-epoch.js';
import { formatOpenMetrics } from '../../lib/report/openmetrics.js';
import type { Report } from '../../lib/epoch/report.js';
import { readSampleFile } from '../../lib/sampling/sample-file.js';
import { MemoryStateStore } from '../../lib/state/state-store.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'openmetrics');
/** The `cluster` label of every fixture epoch (what `--cluster` sets). */
export const FIXTURE_CLUSTER = 'recorded';

/** Scenario names, each a folder of `NN-what.json.gz` samples. */
export const SCENARIO_NAMES = ['healthy', 'uneven', 'follower-partition', 'leader-partition', 'server-missing', 'no-meta-leader'] as const;
/** nats-server versions the scenarios were recorded on, each a folder of scenarios. */
export const FIXTURE_VERSIONS = ['2.9.10', '2.15.1'] as const;

export interface Scenario {
  readonly version: (typeof FIXTURE_VERSIONS)[number];
  readonly name: (typeof SCENARIO_NAMES)[number];
}

export const SCENARIOS: readonly Scenario[] = FIXTURE_VERSIONS.flatMap((version) => SCENARIO_NAMES.map((name) => ({ version, name })));

export function scenarioLabel(scenario: Scenario): string {
  return `${scenario.version}/${scenario.name}`;
}

export function sampleFiles(scenario: Scenario): string[] {
  const dir = join(FIXTURE_DIR, scenario.version, scenario.name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .map((f) => join(dir, f));
}

export interface RenderedEpoch {
  readonly report: Report;
  readonly exposition: string;
}

/**
 * Each epoch's report and exposition, as `check --format openmetrics` renders it. The
 * clock reads each sample's own start and end, so the output depends only
 * on the recorded samples.
 */
export async function renderScenario(scenario: Scenario): Promise<RenderedEpoch[]> {
  const store = new MemoryStateStore();
  const registry = defaultRegistry();
  const out: RenderedEpoch[] = [];
  for (const file of sampleFiles(scenario)) {
    const sample = await readSampleFile(file);
    let calls = 0;
    const now = () => (calls++ === 0 ? sample.startedAt : sample.startedAt + sample.durationMs);
    const result = await runEpoch({
      sample: async () => sample,
      store,
      clusterKey: FIXTURE_CLUSTER,
      registry,
      checks: { skip: new Set(), thresholds: {} },
      persistence: DEFAULT_PERSISTENCE,
      now,
    });
    const observation = result.failed ? undefined : result.observation;
    out.push({ report: result.report, exposition: formatOpenMetrics([{ cluster: FIXTURE_CLUSTER, report: result.report, observation }]) });
  }
  return out;
}

/** Where an epoch's rendered exposition is kept beside its sample. */
export function expositionFile(sampleFile: string): string {
  return sampleFile.replace(/\.json\.gz$/, '.prom');
}
