import { describe, expect, it } from 'vitest';
import type { Severity } from '../../lib/checks/types.js';
import type { CheckedDraft } from '../../lib/epoch/judge.js';
import { applyLifecycle, findingKey, type PersistencePolicy } from '../../lib/epoch/lifecycle.js';
import { emptyState, type AuditState } from '../../lib/state/audit-state.js';

const MINUTE = 60_000;
const T = Date.UTC(2026, 0, 1);
const TWO_EPOCHS: PersistencePolicy = { epochs: 2, minMs: 0 };

function draft(subject: string, severity: Severity = 'warning', escalateWhenPersistent = false): CheckedDraft {
  return { check: 'meta_leader_disagreement', subject, severity, summary: `about ${subject}`, details: {}, remediation: [], escalateWhenPersistent };
}

/** Runs drafts per epoch (one minute apart) through applyLifecycle, carrying the open findings over. */
function epochs(perEpoch: readonly (readonly CheckedDraft[])[], policy = TWO_EPOCHS) {
  let state: AuditState = emptyState();
  return perEpoch.map((drafts, i) => {
    const result = applyLifecycle(drafts, state, T + i * MINUTE, policy);
    state = { ...state, open: result.open };
    return result;
  });
}

describe('applyLifecycle', () => {
  it('a first sighting is new and transient', () => {
    // Act
    const [first] = epochs([[draft('meta:default')]]);

    // Assess
    expect(first!.findings[0]!.lifecycle).toEqual({ state: 'new', persistent: false, firstSeen: T, epochs: 1, transition: 'new', known: true });
    expect(first!.open).toEqual([
      { check: 'meta_leader_disagreement', subject: 'meta:default', severity: 'warning', peakSeverity: 'warning', summary: 'about meta:default', firstSeen: T, lastSeen: T, epochs: 1, persistent: false },
    ]);
    expect(first!.resolved).toEqual([]);
  });

  it('a finding seen for N consecutive epochs becomes persistent, and an escalating one turns critical', () => {
    // Act
    const results = epochs([[draft('meta:default', 'warning', true)], [draft('meta:default', 'warning', true)], [draft('meta:default', 'warning', true)]]);

    // Assess
    const lives = results.map((r) => [r.findings[0]!.severity, r.findings[0]!.lifecycle.state, r.findings[0]!.lifecycle.persistent, r.findings[0]!.lifecycle.transition]);
    expect(lives).toEqual([
      ['warning', 'new', false, 'new'],
      ['critical', 'ongoing', true, 'became_persistent'],
      ['critical', 'ongoing', true, 'unchanged'],
    ]);
    expect(results[2]!.findings[0]!.lifecycle).toMatchObject({ firstSeen: T, epochs: 3 });
    expect(results[2]!.open[0]).toMatchObject({ severity: 'critical', firstSeen: T, lastSeen: T + 2 * MINUTE, epochs: 3, persistent: true });
  });

  it('a non-escalating warning stays a warning when persistent', () => {
    const results = epochs([[draft('s')], [draft('s')]]);
    expect(results[1]!.findings[0]).toMatchObject({ severity: 'warning', lifecycle: { persistent: true } });
  });

  it('persistence also needs the minimum age', () => {
    // Prepare: two epochs but only 3 minutes of age count.
    const policy = { epochs: 2, minMs: 3 * MINUTE };

    // Act
    const results = epochs([[draft('s')], [draft('s')], [draft('s')], [draft('s')]], policy);

    // Assess
    expect(results.map((r) => r.findings[0]!.lifecycle.persistent)).toEqual([false, false, false, true]);
  });

  it('severity changes are transitions of their own', () => {
    // Act
    const results = epochs([[draft('s', 'critical')], [draft('s', 'critical')], [draft('s', 'warning')], [draft('s', 'critical')]]);

    // Assess
    expect(results.map((r) => r.findings[0]!.lifecycle.transition)).toEqual(['new', 'became_persistent', 'severity_lowered', 'severity_raised']);
  });

  it('remembers the worst severity while open, so a lowered finding resolves at the severity it paged at', () => {
    // Act
    const results = epochs([[draft('s', 'warning')], [draft('s', 'critical')], [draft('s', 'warning')], []]);

    // Assess
    expect(results.map((r) => r.open[0]?.peakSeverity)).toEqual(['warning', 'critical', 'critical', undefined]);
    expect(results[3]!.resolved[0]).toMatchObject({ severity: 'warning', peakSeverity: 'critical' });
  });

  it('reads state saved before the peak was kept: the last severity stands in', () => {
    // Prepare
    const saved: AuditState = {
      ...emptyState(),
      open: [{ check: 'meta_leader_disagreement', subject: 's', severity: 'critical', summary: 'about s', firstSeen: T, lastSeen: T, epochs: 1, persistent: false }],
    };

    // Act
    const lowered = applyLifecycle([draft('s', 'warning')], saved, T + MINUTE, TWO_EPOCHS);
    const gone = applyLifecycle([], saved, T + MINUTE, TWO_EPOCHS);

    // Assess
    expect(lowered.open[0]).toMatchObject({ severity: 'warning', peakSeverity: 'critical' });
    expect(gone.resolved[0]).toMatchObject({ severity: 'critical', peakSeverity: 'critical' });
  });

  it('a finding absent for an epoch is resolved, and starts afresh if it returns', () => {
    // Act
    const results = epochs([[draft('s', 'warning', true)], [draft('s', 'warning', true)], [], [draft('s')]]);

    // Assess
    expect(results[2]!.resolved).toEqual([
      { check: 'meta_leader_disagreement', subject: 's', severity: 'critical', peakSeverity: 'critical', summary: 'about s', firstSeen: T, resolvedAt: T + 2 * MINUTE, epochs: 2 },
    ]);
    expect(results[2]!.open).toEqual([]);
    expect(results[3]!.findings[0]!.lifecycle).toMatchObject({ state: 'new', epochs: 1, firstSeen: T + 3 * MINUTE, transition: 'new' });
  });

  it('tells findings apart by check and subject', () => {
    // Prepare
    const other = { ...draft('meta:default'), check: 'meta_no_leader' };

    // Act
    const results = epochs([[draft('meta:default')], [other, draft('meta:hub')]]);

    // Assess
    expect(results[1]!.findings.map((f) => f.lifecycle.state)).toEqual(['new', 'new']);
    expect(results[1]!.resolved.map((r) => `${r.check} ${r.subject}`)).toEqual(['meta_leader_disagreement meta:default']);
  });

  it('with the previous state unknown every finding is new and says so', () => {
    // Act
    const result = applyLifecycle([draft('s')], emptyState(), T, TWO_EPOCHS, false);

    // Assess
    expect(result.findings[0]!.lifecycle).toMatchObject({ state: 'new', known: false });
  });

  it('carries an open finding over on a subject its check could not judge, and only that subject; a draft of it wins', () => {
    // Prepare: two open findings of one check, then an epoch that could not judge meta:a and saw nothing of meta:b.
    const [first] = epochs([[draft('meta:a'), draft('meta:b')]]);
    const state = { ...emptyState(), open: first!.open };
    const unjudged = new Set([findingKey('meta_leader_disagreement', 'meta:a')]);

    // Act
    const held = applyLifecycle([], state, T + MINUTE, TWO_EPOCHS, true, unjudged);
    const drafted = applyLifecycle([draft('meta:a')], state, T + MINUTE, TWO_EPOCHS, true, unjudged);

    // Assess
    expect(held.open).toEqual([first!.open[0]]);
    expect(held.resolved.map((r) => r.subject)).toEqual(['meta:b']);
    expect(held.findings).toEqual([]);
    expect(drafted.open).toEqual([expect.objectContaining({ subject: 'meta:a', epochs: 2, persistent: true })]);
  });
});
