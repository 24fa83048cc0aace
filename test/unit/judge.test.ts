import { describe, expect, it, vi } from 'vitest';
import { CheckRegistry } from '../../lib/checks/registry.js';
import { defaultRegistry } from '../../lib/checks/index.js';
import type { CheckContext, CheckDefinition, FindingDraft } from '../../lib/checks/types.js';
import { judge } from '../../lib/epoch/judge.js';
import { observe } from '../../lib/observation/observe.js';
import { healthyReplies, sample } from '../support/sample-builder.js';

const observation = observe(sample({ replies: healthyReplies() }));
const NO_SETTINGS = { skip: new Set<string>(), thresholds: {} };

function check(id: string, run: (context: CheckContext) => readonly FindingDraft[], thresholds: CheckDefinition['thresholds'] = []): CheckDefinition {
  return { id, title: id, description: id, reads: ['JSZ'], severities: ['warning'], thresholds, run };
}

const draft = (subject: string): FindingDraft => ({ subject, severity: 'warning', summary: subject, details: {}, remediation: [] });

describe('judge', () => {
  it('records a throwing check as an error and still runs the checks after it', () => {
    // Prepare
    const after = vi.fn(() => [draft('x')]);
    const registry = new CheckRegistry()
      .register(check('broken', () => { throw new TypeError('cannot read properties of undefined'); }))
      .register(check('throws_text', () => { throw 'plain text'; }))
      .register(check('after', after));

    // Act
    const { drafts, runs } = judge(registry, { observation, history: [] }, NO_SETTINGS);

    // Assess
    expect(runs).toEqual([
      { check: 'broken', outcome: 'error', error: 'cannot read properties of undefined' },
      { check: 'throws_text', outcome: 'error', error: 'plain text' },
      { check: 'after', outcome: 'findings' },
    ]);
    expect(after).toHaveBeenCalledOnce();
    expect(drafts).toEqual([{ ...draft('x'), check: 'after' }]);
  });

  it('skips the checks it is told to, without running them', () => {
    // Prepare
    const skipped = vi.fn(() => [draft('x')]);
    const registry = new CheckRegistry().register(check('skipped', skipped)).register(check('quiet', () => []));

    // Act
    const { drafts, runs } = judge(registry, { observation, history: [] }, { skip: new Set(['skipped']), thresholds: {} });

    // Assess
    expect(runs).toEqual([
      { check: 'skipped', outcome: 'skipped' },
      { check: 'quiet', outcome: 'pass' },
    ]);
    expect(skipped).not.toHaveBeenCalled();
    expect(drafts).toEqual([]);
  });

  it('hands each check its thresholds: defaults, with its own overrides on top', () => {
    // Prepare
    const seen: Record<string, Readonly<Record<string, number>>> = {};
    const spec = (key: string, value: number) => ({ key, description: key, default: value, unit: 'count' as const, min: 0 });
    const registry = new CheckRegistry()
      .register(check('first', (c) => ((seen.first = c.thresholds), []), [spec('a', 1), spec('b', 2)]))
      .register(check('second', (c) => ((seen.second = c.thresholds), []), [spec('a', 10)]));

    // Act
    judge(registry, { observation, history: [] }, { skip: new Set(), thresholds: { first: { b: 5 } } });

    // Assess
    expect(seen).toEqual({ first: { a: 1, b: 5 }, second: { a: 10 } });
  });

  it('passes the observation and history through unchanged', () => {
    // Prepare
    const history = [{ id: 1, startedAt: 0, metaLeaders: { default: 'n1' } }];
    let context: CheckContext | undefined;
    const registry = new CheckRegistry().register(check('spy', (c) => ((context = c), [])));

    // Act
    judge(registry, { observation, history }, NO_SETTINGS);

    // Assess
    expect(context?.observation).toBe(observation);
    expect(context?.history).toBe(history);
  });

  it('starts a critical draft as a warning that escalates once persistent, unless the check declares the exception', () => {
    // Prepare
    const critical = (subject: string): FindingDraft => ({ ...draft(subject), severity: 'critical' });
    const plain: CheckDefinition = { ...check('plain', () => [critical('a'), draft('b')]), severities: ['warning', 'critical'] };
    const excepted: CheckDefinition = {
      ...check('excepted', () => [critical('c')]),
      severities: ['critical'],
      criticalAtFirstSight: { when: 'everything is on fire', reason: 'no election sets anything on fire' },
    };
    const registry = new CheckRegistry().register(plain).register(excepted);

    // Act
    const { drafts } = judge(registry, { observation, history: [] }, NO_SETTINGS);

    // Assess
    expect(drafts.map((d) => [d.check, d.subject, d.severity, d.escalateWhenPersistent])).toEqual([
      ['plain', 'a', 'warning', true],
      ['plain', 'b', 'warning', undefined],
      ['excepted', 'c', 'critical', undefined],
    ]);
  });

  it('the built-in checks critical at first sight are exactly split-brain meta leadership and an unreachable cluster', () => {
    // Act
    const exceptions = defaultRegistry().all().filter((c) => c.criticalAtFirstSight).map((c) => c.id);

    // Assess
    expect(exceptions).toEqual(['cluster_unreachable', 'meta_leader_disagreement']);
  });
});
