import { describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../lib/epoch/lifecycle.js';
import { notifiedFindings, selectNotifications } from '../../../lib/notify/select-notifications.js';
import type { Notification } from '../../../lib/notify/types.js';
import {
  CRITICAL_ONLY,
  HOUR,
  MINUTE,
  NOW,
  WARNING_ONLY,
  delivery,
  disagreementCritical,
  finding,
  ongoing,
  openFinding,
  resolvedSkew,
  unevenWarning,
} from './notify-fixtures.js';

/** What a test usually cares about: which finding, and why it is sent. */
const brief = (ns: readonly Notification[]) => ns.map((n) => `${n.transition} ${n.check} ${n.subject} ${n.severity}`);

const newWarning = finding({ check: 'clock_skew', subject: 'server:n3', severity: 'warning' });
const resolvedCritical: ResolvedFinding = { ...resolvedSkew, check: 'meta_leader_disagreement', subject: 'meta:default', severity: 'critical', peakSeverity: 'critical' };

describe('selectNotifications', () => {
  it('sends nothing for a healthy epoch', () => {
    expect(selectNotifications(delivery({}), WARNING_ONLY)).toEqual([]);
  });

  it('announces new findings of any severity, with the epoch, servers and finding they came from', () => {
    // Prepare
    const input = delivery({ findings: [disagreementCritical, newWarning], notices: ['a notice'] });

    // Act
    const out = selectNotifications(input, WARNING_ONLY);

    // Assess
    expect(brief(out)).toEqual(['new meta_leader_disagreement meta:default critical', 'new clock_skew server:n3 warning']);
    const [first] = out;
    expect(first).toMatchObject({
      cluster: 'prod-east',
      summary: disagreementCritical.summary,
      epoch: { id: 7, startedAt: input.report.epoch.startedAt },
      notices: ['a notice'],
    });
    expect(first?.finding).toEqual(input.report.findings[0]);
    expect(first?.servers).toEqual([
      { name: 'n1', cluster: 'c1', version: '2.9.10', metaLeader: 'n1' },
      { name: 'n2', cluster: 'c1', version: '2.9.10', metaLeader: 'n1' },
      { name: 'n3', cluster: 'c1', version: '2.10.29', metaLeader: null },
    ]);
  });

  it('sends nothing for a finding that is unchanged and already notified', () => {
    const out = selectNotifications(
      delivery({
        findings: [ongoing(disagreementCritical, 'unchanged'), ongoing(unevenWarning, 'unchanged')],
        previousOpen: [openFinding(disagreementCritical, NOW - 5 * MINUTE), openFinding(unevenWarning, NOW - 5 * MINUTE)],
      }),
      WARNING_ONLY,
    );
    expect(out).toEqual([]);
  });

  it('announces a notified finding that became persistent or was raised to critical', () => {
    const raised = ongoing(unevenWarning, 'severity_raised', { severity: 'critical' });
    const out = selectNotifications(
      delivery({
        findings: [ongoing(disagreementCritical, 'became_persistent'), raised],
        previousOpen: [openFinding(disagreementCritical, NOW - MINUTE), openFinding(unevenWarning, NOW - MINUTE)],
      }),
      WARNING_ONLY,
    );
    expect(brief(out)).toEqual([
      'became_persistent meta_leader_disagreement meta:default critical',
      'severity_raised uneven_leader_distribution cluster:c1 critical',
    ]);
  });

  it('says nothing when a notified critical is lowered to warning: its resolution will be announced', () => {
    const lowered = ongoing(disagreementCritical, 'severity_lowered', { severity: 'warning' });
    const out = selectNotifications(
      delivery({ findings: [lowered], previousOpen: [openFinding(disagreementCritical, NOW - MINUTE)] }),
      WARNING_ONLY,
    );
    expect(out).toEqual([]);
  });

  describe('minSeverity critical', () => {
    it('sends nothing for warnings, new or changed', () => {
      const out = selectNotifications(
        delivery({
          findings: [newWarning, ongoing(unevenWarning, 'became_persistent')],
          previousOpen: [openFinding(unevenWarning)],
        }),
        CRITICAL_ONLY,
      );
      expect(out).toEqual([]);
    });

    it('announces a new critical', () => {
      const out = selectNotifications(delivery({ findings: [disagreementCritical, newWarning] }), CRITICAL_ONLY);
      expect(brief(out)).toEqual(['new meta_leader_disagreement meta:default critical']);
    });

    it('announces a warning never sent because of minSeverity as severity_raised once it turns critical', () => {
      // Prepare: escalateWhenPersistent makes the lifecycle say became_persistent.
      const escalated = ongoing(disagreementCritical, 'became_persistent');
      const input = delivery({ findings: [escalated], previousOpen: [openFinding({ ...disagreementCritical, severity: 'warning' })] });

      // Act
      const out = selectNotifications(input, CRITICAL_ONLY);

      // Assess
      expect(brief(out)).toEqual(['severity_raised meta_leader_disagreement meta:default critical']);
    });

    it('announces as new an open critical that was never notified (notifications enabled later)', () => {
      const out = selectNotifications(
        delivery({ findings: [ongoing(disagreementCritical, 'unchanged')], previousOpen: [openFinding(disagreementCritical)] }),
        CRITICAL_ONLY,
      );
      expect(brief(out)).toEqual(['new meta_leader_disagreement meta:default critical']);
    });
  });

  describe('reminders', () => {
    const stillOpen = (notifiedAgo: number, f = disagreementCritical) =>
      delivery({ findings: [ongoing(f, 'unchanged')], previousOpen: [openFinding(f, NOW - notifiedAgo)] });

    it('reminds of an open critical once the last notice is older than the interval', () => {
      const out = selectNotifications(stillOpen(2 * HOUR), { reminderMs: HOUR, minSeverity: 'warning' });
      expect(brief(out)).toEqual(['reminder meta_leader_disagreement meta:default critical']);
      expect(out[0]?.lastNotifiedAt).toBe(new Date(NOW - 2 * HOUR).toISOString());
    });

    it('reminds exactly at the interval, not a minute before', () => {
      expect(brief(selectNotifications(stillOpen(HOUR), { reminderMs: HOUR, minSeverity: 'critical' }))).toEqual([
        'reminder meta_leader_disagreement meta:default critical',
      ]);
      expect(selectNotifications(stillOpen(HOUR - MINUTE), { reminderMs: HOUR, minSeverity: 'critical' })).toEqual([]);
    });

    it('never reminds when the interval is 0, however old the notice', () => {
      expect(selectNotifications(stillOpen(30 * 24 * HOUR), WARNING_ONLY)).toEqual([]);
    });

    it('never reminds of a warning', () => {
      expect(selectNotifications(stillOpen(2 * HOUR, unevenWarning), { reminderMs: HOUR, minSeverity: 'warning' })).toEqual([]);
    });
  });

  describe('previous state unreadable', () => {
    const unknown = (f: typeof disagreementCritical) => ({ ...f, lifecycle: { ...f.lifecycle, known: false } });

    it('sends every finding at or above minSeverity as persistence_unknown, every epoch', () => {
      // Prepare
      const input = delivery({ findings: [unknown(disagreementCritical), unknown(newWarning)] });

      // Act
      const first = selectNotifications(input, CRITICAL_ONLY);
      const again = selectNotifications(input, CRITICAL_ONLY);

      // Assess
      expect(brief(first)).toEqual(['persistence_unknown meta_leader_disagreement meta:default critical']);
      expect(again).toEqual(first);
      expect(brief(selectNotifications(input, WARNING_ONLY))).toEqual([
        'persistence_unknown meta_leader_disagreement meta:default critical',
        'persistence_unknown clock_skew server:n3 warning',
      ]);
    });
  });

  describe('resolved findings', () => {
    it('announces a resolved warning to warning subscribers', () => {
      const out = selectNotifications(delivery({ resolved: [resolvedSkew], previousOpen: [openFinding(resolvedSkew, NOW - HOUR)] }), WARNING_ONLY);
      expect(brief(out)).toEqual(['resolved clock_skew server:n3 warning']);
      expect(out[0]?.resolved).toMatchObject({ check: 'clock_skew', epochs: 1 });
      expect(out[0]?.finding).toBeUndefined();
    });

    it('announces a resolved critical to critical-only subscribers', () => {
      const out = selectNotifications(delivery({ resolved: [resolvedCritical] }), CRITICAL_ONLY);
      expect(brief(out)).toEqual(['resolved meta_leader_disagreement meta:default critical']);
    });

    it('announces a critical lowered to a warning before it resolved to critical-only subscribers, at critical', () => {
      const lowered: ResolvedFinding = { ...resolvedCritical, severity: 'warning', peakSeverity: 'critical' };
      const out = selectNotifications(delivery({ resolved: [lowered], previousOpen: [openFinding(resolvedCritical)] }), CRITICAL_ONLY);
      expect(brief(out)).toEqual(['resolved meta_leader_disagreement meta:default critical']);
    });

    it('below minSeverity, announces a resolution only if subscribers were told of the finding', () => {
      const told = selectNotifications(delivery({ resolved: [resolvedSkew], previousOpen: [openFinding(resolvedSkew, NOW - HOUR)] }), CRITICAL_ONLY);
      const neverTold = selectNotifications(delivery({ resolved: [resolvedSkew], previousOpen: [openFinding(resolvedSkew)] }), CRITICAL_ONLY);
      expect(brief(told)).toEqual(['resolved clock_skew server:n3 warning']);
      expect(neverTold).toEqual([]);
    });
  });

  it('refuses a negative or non-finite reminder interval', () => {
    expect(() => selectNotifications(delivery({}), { reminderMs: -1, minSeverity: 'warning' })).toThrow(
      'reminderMs must be a finite number >= 0, got -1',
    );
    expect(() => selectNotifications(delivery({}), { reminderMs: Number.NaN, minSeverity: 'warning' })).toThrow(RangeError);
  });
});

describe('notifiedFindings', () => {
  it('lists the open findings sent, not the resolved ones, so only they get a notifiedAt', () => {
    const out = selectNotifications(delivery({ findings: [disagreementCritical], resolved: [resolvedSkew] }), WARNING_ONLY);
    expect(brief(out)).toHaveLength(2);
    expect(notifiedFindings(out)).toEqual([{ check: 'meta_leader_disagreement', subject: 'meta:default' }]);
  });
});
