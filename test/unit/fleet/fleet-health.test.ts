import { describe, expect, it } from 'vitest';
import { healthNotice } from '../../../lib/notify/health-notice.js';
import { judgeFleetHealth } from '../../../lib/fleet/fleet-health.js';
import type { RunEntry, RunRecord } from '../../../lib/state/run-ledger.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 5, 12, 0);

function run(minutesAgo: number, record: Partial<RunRecord> = {}): RunEntry {
  return {
    scheduledTime: new Date(NOW - minutesAgo * MINUTE).toISOString(),
    recordedAt: NOW - minutesAgo * MINUTE,
    record: { status: 'ok', epoch: 1, counts: { critical: 0, warning: 0, resolved: 0 }, notified: 0, durationMs: 100, findings: [], ...record },
  };
}

describe('judgeFleetHealth', () => {
  const window = 3 * MINUTE;
  const clusters = ['fresh', 'late', 'failed', 'never', 'new', 'failed-and-late'].map((name) => ({ name, staleAfterMs: window }));

  it('calls a cluster stale past its window, failing when its latest run failed, and a never-run one stale only once watched past its window', () => {
    // Act
    const health = judgeFleetHealth({
      clusters,
      lastRuns: new Map([
        ['fresh', run(1)],
        ['late', run(4)],
        ['failed', run(1, { status: 'failed', error: 'bad secret' })],
        ['never', undefined],
        ['new', undefined],
        ['failed-and-late', run(10, { status: 'failed' })],
      ]),
      watchingSince: { never: NOW - 5 * MINUTE, new: NOW - MINUTE },
      now: NOW,
    });

    // Assess
    expect(health.stale.map((p) => p.cluster)).toEqual(['failed-and-late', 'late', 'never']);
    expect(health.failing).toEqual([{ cluster: 'failed', reason: `the run scheduled ${run(1).scheduledTime} failed: bad secret` }]);
    expect(health.stale.find((p) => p.cluster === 'never')!.reason).toBe('no run recorded in the 5 minutes since the watchdog first saw it (window 3 minutes)');
  });

  it('a run exactly at the window is still on time', () => {
    const health = judgeFleetHealth({ clusters: [{ name: 'edge', staleAfterMs: window }], lastRuns: new Map([['edge', run(3)]]), watchingSince: {}, now: NOW });
    expect(health.stale).toEqual([]);
  });
});

describe('healthNotice', () => {
  it('names every cluster in trouble and every recovered one, with a subject SNS accepts', () => {
    // Act
    const notice = healthNotice(
      'prod',
      { stale: [{ cluster: 'a', reason: 'late' }], failing: [{ cluster: 'b', reason: 'bad secret' }] },
      ['c'],
      'nats-audit/prod/epochs',
    );

    // Assess
    expect(notice.subject).toBe('nats-audit prod: 1 not audited, 1 failing, 1 recovered');
    expect(notice.message).toContain('- a: late\n');
    expect(notice.message).toContain('- b: bad secret\n');
    expect(notice.message).toContain('Audited normally again:\n- c\n');
    expect(notice.message).toContain('nats-audit/prod/epochs');
  });

  it('says when every cluster is audited again, and keeps a long subject under 100 ASCII characters', () => {
    expect(healthNotice('prod', { stale: [], failing: [] }, ['a'], 'q').subject).toBe('nats-audit prod: every cluster audited again');
    const long = healthNotice('x'.repeat(120), { stale: [{ cluster: 'a', reason: 'r' }], failing: [] }, [], 'q').subject;
    expect(long.length).toBeLessThan(100);
    expect(long.endsWith('...')).toBe(true);
  });
});
