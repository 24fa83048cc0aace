import { describe, expect, it } from 'vitest';
import { CheckRegistry, defaultRegistry } from '../../lib/checks/index.js';
import { defineCheck } from '../../lib/checks/define-check.js';
import type { CheckDefinition } from '../../lib/checks/types.js';
import { SAMPLE_TYPE } from '../../lib/domain/raw-sample.js';
import { judge } from '../../lib/epoch/judge.js';
import { observe } from '../../lib/observation/observe.js';

function definition(overrides: Partial<Record<keyof CheckDefinition, unknown>> = {}): CheckDefinition {
  return {
    id: 'sample_check',
    title: 'Sample check',
    description: 'Finds nothing.',
    reads: ['JSZ'],
    severities: ['warning'],
    thresholds: [{ key: 'ratio', description: 'A ratio', default: 1.5, unit: 'ratio', min: 1 }],
    run: () => [],
    ...overrides,
  } as CheckDefinition;
}

function registering(check: CheckDefinition): () => void {
  return () => new CheckRegistry().register(check);
}

describe('CheckRegistry', () => {
  it('rejects a second check with the same id', () => {
    // Prepare
    const registry = new CheckRegistry().register(definition());

    // Act / Assess
    expect(() => registry.register(definition({ title: 'Another' }))).toThrow(new Error('check "sample_check": registered twice'));
  });

  it('rejects a threshold default below its minimum, or not a finite number', () => {
    const below = [{ key: 'ratio', description: 'A ratio', default: 0.5, unit: 'ratio', min: 1 }];
    const nan = [{ key: 'ratio', description: 'A ratio', default: Number.NaN, unit: 'ratio', min: 1 }];
    expect(registering(definition({ thresholds: below }))).toThrow(new Error('check "sample_check": threshold ratio: default 0.5 is below its minimum 1'));
    expect(registering(definition({ thresholds: nan }))).toThrow(new Error('check "sample_check": threshold ratio: default is not a finite number'));
  });

  it('rejects a missing or blank title', () => {
    expect(registering(definition({ title: undefined }))).toThrow(new Error('check "sample_check": title is missing'));
    expect(registering(definition({ title: '  ' }))).toThrow(new Error('check "sample_check": title is empty'));
  });

  it('rejects other missing or malformed fields with a message naming them', () => {
    const cases: [Partial<Record<keyof CheckDefinition, unknown>>, string][] = [
      [{ id: 'Sample-Check' }, 'check "Sample-Check": id must be snake_case'],
      [{ id: undefined }, 'check undefined: id is missing'],
      [{ description: undefined }, 'check "sample_check": description is missing'],
      [{ description: '' }, 'check "sample_check": description is empty'],
      [{ severities: [] }, 'check "sample_check": no severities'],
      [{ severities: undefined }, 'check "sample_check": severities is missing'],
      [{ reads: undefined }, 'check "sample_check": reads is missing'],
      [{ thresholds: undefined }, 'check "sample_check": thresholds is missing'],
      [{ run: undefined }, 'check "sample_check": run is not a function'],
      [{ criticalAtFirstSight: { when: ' ', reason: 'r' }, severities: ['critical'] }, 'check "sample_check": criticalAtFirstSight.when is missing'],
      [{ criticalAtFirstSight: { when: 'w' }, severities: ['critical'] }, 'check "sample_check": criticalAtFirstSight.reason is missing'],
      [{ criticalAtFirstSight: { when: 'w', reason: 'r' } }, 'check "sample_check": criticalAtFirstSight is declared but critical is not among its severities'],
      [{ thresholds: [{ key: 'Ratio', description: 'x', default: 1, unit: 'ratio', min: 0 }] }, 'check "sample_check": threshold "Ratio": key must be snake_case'],
      [
        { thresholds: [{ key: 'a', description: 'x', default: 1, unit: 'count', min: 0 }, { key: 'a', description: 'y', default: 1, unit: 'count', min: 0 }] },
        'check "sample_check": threshold a: declared twice',
      ],
      [{ thresholds: [{ key: 'a', description: ' ', default: 1, unit: 'count', min: 0 }] }, 'check "sample_check": threshold a: description is empty'],
    ];
    for (const [overrides, message] of cases) {
      expect(registering(definition(overrides)), message).toThrow(new Error(message));
    }
  });

  it('keeps registration order and finds checks by id', () => {
    // Prepare
    const registry = new CheckRegistry().register(definition({ id: 'b_check' })).register(definition({ id: 'a_check' }));

    // Act / Assess
    expect(registry.ids()).toEqual(['b_check', 'a_check']);
    expect(registry.get('a_check')?.id).toBe('a_check');
    expect(registry.get('nope')).toBeUndefined();
  });
});

describe('defaultRegistry', () => {
  it('registers every built-in check, in report order', () => {
    expect(defaultRegistry().ids()).toEqual([
      'cluster_unreachable',
      'meta_leader_disagreement',
      'meta_no_leader',
      'server_missing',
      'uneven_leader_distribution',
      'leader_load_concentration',
      'meta_even_cluster_size',
      'meta_leader_flapping',
      'clock_skew',
      'route_missing',
      'vantage_failed',
      'server_reply_invalid',
    ]);
  });

  it('documents every threshold with a unit and a default within its minimum', () => {
    for (const check of defaultRegistry().all()) {
      expect(check.reads.length, check.id).toBeGreaterThan(0);
      for (const t of check.thresholds) expect(t.default, `${check.id}.${t.key}`).toBeGreaterThanOrEqual(t.min);
    }
  });
});

describe('defineCheck', () => {
  it("types a check's thresholds by the keys it declares, and judge fills each of them", () => {
    // Prepare
    const seen: number[] = [];
    const check = defineCheck({
      ...definition(),
      thresholds: [{ key: 'limit', description: 'A limit', default: 7, unit: 'count', min: 0 }],
      run({ thresholds }) {
        // @ts-expect-error: a key the check did not declare is no property of its thresholds
        void thresholds.ratio;
        seen.push(thresholds.limit);
        return [];
      },
    });
    const registry = new CheckRegistry().register(check);

    // Act
    judge(registry, { observation: observe({ type: SAMPLE_TYPE, startedAt: 0, durationMs: 0, vantages: [] }), history: [] }, { skip: new Set(), thresholds: {} });

    // Assess
    expect(seen).toEqual([7]);
  });
});
