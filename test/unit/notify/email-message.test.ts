import { describe, expect, it } from 'vitest';
import { EMAIL_LIMITS, emailBody, emailSubject } from '../../../lib/notify/email-message.js';
import { selectNotifications } from '../../../lib/notify/select-notifications.js';
import type { Notification } from '../../../lib/notify/types.js';
import { HOUR, NOW, WARNING_ONLY, delivery, finding, notificationOf, ongoing, openFinding, resolvedSkew, splitBrain } from './notify-fixtures.js';

const persistent = (): Notification => {
  const [n] = selectNotifications(
    delivery({ findings: [ongoing(splitBrain, 'became_persistent')], previousOpen: [openFinding(splitBrain, NOW - HOUR)] }),
    WARNING_ONLY,
  );
  return n!;
};

/** A finding built to break formatting: long, multi-line, non-ASCII, with control characters and a URL with credentials. */
const hostile = finding({
  check: 'meta_leader_disagreement_' + 'x'.repeat(200),
  subject: 'meta:' + 'ü'.repeat(100),
  severity: 'critical',
  summary: 'Servers disagree\r\non the leader\u0007 — Ñodo-östra says 🚀 nats://admin:s3cret@n1:4222 ' + 'y'.repeat(500),
  details: {
    failedVantages: [{ url: 'nats://admin:s3cret@n1:4222', error: 'timeout\u0000' }],
    many: Array.from({ length: 500 }, (_, i) => `item-${i}`),
    nested: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, { deep: { deeper: { deepest: i } } }])),
  },
  remediation: Array.from({ length: 100 }, (_, i) => `nats stream cluster step-down STREAM_${i}`),
});

describe('emailSubject', () => {
  it('reads severity, cluster, check and what changed, then as much summary as fits', () => {
    expect(emailSubject(persistent())).toBe('[CRITICAL] prod-east: meta_leader_disagreement persistent - 2 servers follow n3 while n1 claims ...');
  });

  it('stays under 100 ASCII characters on one line, whatever the names', () => {
    // Prepare
    const n = { ...notificationOf(hostile), cluster: 'prod-' + 'é'.repeat(300) };

    // Act
    const subject = emailSubject(n);

    // Assess
    expect(subject.length).toBeLessThan(100);
    expect(subject).toBe('[CRITICAL] prod-eeeeeeeeeeeeeeee...: meta_leader_disagreement_xxxxxxxx... new - Servers disagree...');
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('marks a resolution as such, whatever its severity', () => {
    const [n] = selectNotifications(delivery({ resolved: [resolvedSkew] }), WARNING_ONLY);
    expect(emailSubject(n!)).toBe("[RESOLVED] prod-east: clock_skew - n3's clock is 900 ms behind the auditor's");
  });

  it('names a failed audit, without the credentials an error message might quote', () => {
    const [n] = selectNotifications(
      delivery({ findings: [finding({ check: 'audit_failed', subject: 'authorization', severity: 'critical', summary: 'authorization refused by nats://sys:hunter2@n1:4222' })] }),
      WARNING_ONLY,
    );
    expect(emailSubject(n!)).toBe('[CRITICAL] prod-east: audit_failed new - authorization refused by nats://***@n1:4222');
  });
});

describe('emailBody', () => {
  it('says what changed, where, the evidence, the servers and the commands, one per line', () => {
    expect(emailBody(persistent())).toBe(
      [
        'CRITICAL: meta_leader_disagreement on cluster prod-east (persistent)',
        '',
        '2 servers follow n3 while n1 claims leadership: n1 says n1; n2, n3 say n3',
        '',
        'Cluster:  prod-east',
        'Finding:  meta_leader_disagreement meta:default',
        'Severity: critical',
        'Change:   Became persistent: seen in 3 consecutive epochs since 2026-01-01T11:50:00.000Z.',
        'Epoch:    7 started 2026-01-01T12:00:00.000Z',
        '',
        'Details:',
        '  views: n1=n1 n2=n3 n3=n3',
        '  terms: n1=4 n2=5 n3=5',
        '  leaders: n1, n3',
        '',
        'Servers that answered (3):',
        '  server  version  meta leader it reports',
        '  n1      2.9.10   n1',
        '  n2      2.9.10   n1',
        '  n3      2.10.29  (none)',
        '',
        'Remediation (one step or command per line):',
        '  nats server request jetstream --leader',
        '  nats server raft step-down --cluster c1',
        '  Verify with nats-audit check.',
        '',
        '--',
        'nats-audit: became_persistent notice for meta_leader_disagreement meta:default on prod-east.',
        '',
      ].join('\n'),
    );
  });

  it('says when a reminded finding was last notified', () => {
    const [n] = selectNotifications(
      delivery({ findings: [ongoing(splitBrain, 'unchanged')], previousOpen: [openFinding(splitBrain, NOW - 3 * HOUR)] }),
      { reminderMs: HOUR, minSeverity: 'critical' },
    );
    expect(emailBody(n!)).toContain(
      'Change:   Still open and critical; seen in 3 consecutive epochs since 2026-01-01T11:50:00.000Z. Last notified 2026-01-01T09:00:00.000Z (3 h before this epoch).',
    );
  });

  it('explains an unknown persistence with the auditor notes', () => {
    const f = { ...splitBrain, lifecycle: { ...splitBrain.lifecycle, known: false } };
    const body = emailBody(notificationOf(f, ['state could not be read (timeout); persistence of findings is unknown this epoch']));
    expect(body).toContain('Change:   The previous audit state could not be read, so whether this is new or persistent is unknown;');
    expect(body).toContain('Auditor notes:\n  state could not be read (timeout); persistence of findings is unknown this epoch\n');
  });

  it('caps evidence, servers and steps, and leaves out control characters and URL credentials', () => {
    // Prepare
    const base = notificationOf(hostile);
    const n: Notification = {
      ...base,
      servers: Array.from({ length: 200 }, (_, i) => ({ name: `n${i}`, cluster: 'c1', version: '2.10.22', metaLeader: 'n0' })),
    };

    // Act
    const body = emailBody(n);

    // Assess
    expect(body.length).toBeLessThanOrEqual(EMAIL_LIMITS.body + 1);
    expect(body).not.toContain('s3cret');
    expect(body).toContain('nats://***@n1:4222');
    expect(body).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(body).toContain('  many: item-0, item-1, item-2, item-3, item-4, item-5, item-6, item-7, … and 492 more\n');
    expect(body).toContain('  failedVantages:\n    1: url=nats://***@n1:4222 error=timeout\n');
    expect(body).toContain('    k7:\n      deep: {1 field}\n    … and 42 more\n');
    expect(body).toContain('  n38     2.10.22  n0\n  … and 161 more\n');
    expect(body).toContain('  nats stream cluster step-down STREAM_23\n  … and 76 more\n');
  });
});
