import { describe, expect, it } from 'vitest';
import { formatText } from '../../lib/report/text-report.js';
import { MINUTE, disagreementCritical, finding, report, resolvedSkew, unevenWarning } from '../support/report-fixtures.js';
import { T0 } from '../support/sample-builder.js';

const SERVER_TABLE = [
  'Servers:',
  '  server  cluster  version  meta leader  latency  clock skew',
  '  n1      c1       2.9.10   n1           4 ms     0 ms',
  '  n2      c1       2.9.10   n1           12 ms    0 ms',
  '  n3      c1       2.10.29  (none)       4 ms     1500 ms',
];

describe('formatText', () => {
  it('a clean epoch: the verdict line, then the servers', () => {
    expect(formatText(report())).toBe(['OK prod-east epoch 7: 0 critical, 0 warning (3 servers answered, 1234 ms)', '', ...SERVER_TABLE, ''].join('\n'));
  });

  it('findings critical first, with lifecycle, counts table, numbered remediation, notes and resolved findings', () => {
    // Prepare
    const input = report({
      findings: [unevenWarning, disagreementCritical],
      resolved: [resolvedSkew],
      runs: [
        { check: 'clock_skew', outcome: 'error', error: 'boom' },
        { check: 'route_missing', outcome: 'pass' },
        { check: 'uneven_leader_distribution', outcome: 'pass', unjudged: [{ subject: 'cluster:c2', reason: 'an election in progress: no server names a leader of stream S9 (account APP)' }] },
        { check: 'leader_load_concentration', outcome: 'pass', unjudged: [{ subject: '*', reason: '1 expected server silent' }] },
      ],
      notices: ['state file x is corrupt; starting from an empty state and replacing it'],
    });

    // Act
    const text = formatText(input);

    // Assess
    expect(text).toBe(
      [
        'CRITICAL prod-east epoch 7: 1 critical, 1 warning, 1 resolved (3 servers answered, 1234 ms)',
        'note: state file x is corrupt; starting from an empty state and replacing it',
        'note: check clock_skew failed to run: boom',
        'note: uneven_leader_distribution did not judge cluster:c2 (an election in progress: no server names a leader of stream S9 (account APP)); a finding open before stays open',
        'note: leader_load_concentration did not judge this epoch (1 expected server silent); a finding open before stays open',
        '',
        '[CRITICAL] meta_leader_disagreement meta:default (new, transient so far)',
        '  2 servers each claim to be the JetStream meta leader (n1, n2): n1 says n1; n2, n3 say n2',
        '  Remediation:',
        '    1. Do the first thing.',
        '    2. Verify.',
        '',
        '[WARNING] uneven_leader_distribution cluster:c1 (ongoing for 3 epochs since 2026-01-01T11:58:00.000Z, persistent)',
        '  Leaders concentrated in cluster c1: n1 leads 6 streams (2.0x the average of 3.0)',
        '  leaders per server (streams / consumers / total):',
        '    n1               6 / 0 / 6',
        '    n2               2 / 1 / 3',
        '  Remediation:',
        '    1. Step down these groups on n1:',
        '    2. nats stream cluster step-down S1',
        '',
        'Resolved since the last epoch:',
        "  [RESOLVED] clock_skew server:n3 after 1 epoch: n3's clock is 900 ms behind the auditor's",
        '',
        ...SERVER_TABLE,
        '',
      ].join('\n'),
    );
  });

  it('an ongoing finding not yet persistent says so; several epochs are plural', () => {
    // Prepare
    const ongoing = finding({
      check: 'clock_skew',
      subject: 'server:n3',
      severity: 'warning',
      lifecycle: { state: 'ongoing', persistent: false, firstSeen: T0 - MINUTE, epochs: 2, transition: 'unchanged', known: true },
    });
    const resolved = { ...resolvedSkew, epochs: 4 };

    // Act
    const text = formatText(report({ findings: [ongoing], resolved: [resolved] }));

    // Assess
    expect(text).toContain('[WARNING] clock_skew server:n3 (ongoing for 2 epochs since 2026-01-01T11:59:00.000Z, transient so far)');
    expect(text).toContain('[RESOLVED] clock_skew server:n3 after 4 epochs:');
    expect(text.split('\n')[0]).toBe('WARNING prod-east epoch 7: 0 critical, 1 warning, 1 resolved (3 servers answered, 1234 ms)');
  });

  it('with no server answering there is no server table', () => {
    // Prepare
    const unreachable = finding({ check: 'cluster_unreachable', subject: 'cluster', severity: 'critical', summary: 'No server answered from any of 3 configured URLs' });

    // Act
    const text = formatText(report({ findings: [unreachable], servers: false }));

    // Assess
    expect(text.split('\n')[0]).toBe('CRITICAL prod-east epoch 7: 1 critical, 0 warning (0 servers answered, 1234 ms)');
    expect(text).not.toContain('Servers:');
    expect(text.endsWith('    2. Verify.\n')).toBe(true);
  });

  it('lists the vantages that heard nothing, and only for findings that carry them', () => {
    // Prepare: server_reply_invalid keeps a plain list of vantage URLs under `vantages`.
    const input = report({
      findings: [
        finding({ check: 'server_missing', subject: 'server:n3', severity: 'warning', details: { failedVantages: [{ url: 'nats://n3:4222', error: 'timeout: nats://n3:4222: no INFO' }] } }),
        finding({ check: 'server_reply_invalid', subject: 'reply:n2:JSZ', severity: 'warning', details: { vantages: ['nats://n1:4222'] } }),
      ],
    });

    // Act
    const text = formatText(input);

    // Assess
    expect(text).toContain('  vantages that heard nothing:\n    nats://n3:4222: timeout: nats://n3:4222: no INFO\n');
    expect(text.match(/vantages that heard nothing/g)).toHaveLength(1);
    expect(text).not.toContain('undefined');
  });
});
