import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, expositionFile, renderScenario, sampleFiles, scenarioLabel } from '../../support/openmetrics-scenarios.js';

/**
 * The expositions beside the recorded samples are what the Prometheus rule
 * tests read. Re-rendering every sample here keeps them from drifting from
 * the renderer: a change of metric shape fails until the fixtures are
 * regenerated (UPDATE_OPENMETRICS_FIXTURES=1) and the rule tests pass on them.
 */
const update = process.env.UPDATE_OPENMETRICS_FIXTURES === '1';

describe('OpenMetrics fixtures recorded from real epochs', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenarioLabel(scenario)}: each epoch's committed exposition is what the renderer makes of its sample`, async () => {
      const files = sampleFiles(scenario);
      const rendered = await renderScenario(scenario);
      expect(rendered.length).toBe(files.length);
      expect(files.length).toBeGreaterThan(1);
      files.forEach((file, i) => {
        const target = expositionFile(file);
        if (update) writeFileSync(target, rendered[i]!.exposition);
        expect(existsSync(target), `${target} missing: run with UPDATE_OPENMETRICS_FIXTURES=1`).toBe(true);
        expect(rendered[i]!.exposition, target).toBe(readFileSync(target, 'utf8'));
      });
    });
  }
});
