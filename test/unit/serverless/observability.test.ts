import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../../lib/serverless/log.js';
import { METRIC_NAMESPACE, emitMetrics } from '../../../lib/serverless/metrics.js';

describe('emitMetrics', () => {
  it('writes one embedded-metric-format record with the environment dimension', () => {
    // Prepare
    const lines: string[] = [];

    // Act
    emitMetrics((l) => lines.push(l), 'prod', { StaleClusters: 2, FailingClusters: 0 }, 1_700_000_000_000);

    // Assess
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['Environment']],
            Metrics: [
              { Name: 'StaleClusters', Unit: 'Count' },
              { Name: 'FailingClusters', Unit: 'Count' },
            ],
          },
        ],
      },
      Environment: 'prod',
      StaleClusters: 2,
      FailingClusters: 0,
    });
  });

  it('leaves out values that are not numbers, and writes nothing when none is left', () => {
    const lines: string[] = [];
    emitMetrics((l) => lines.push(l), 'prod', { StaleClusters: Number.NaN });
    expect(lines).toEqual([]);
  });
});

describe('jsonLogger', () => {
  it('writes JSON lines with the context fields of every with()', () => {
    const lines: string[] = [];
    jsonLogger((l) => lines.push(l)).with({ cluster: 'east' }).log('info', 'epoch done', { epoch: 3 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', message: 'epoch done', cluster: 'east', epoch: 3 });
  });

  it('redacts secrets it was told about, in every derived logger', () => {
    // Prepare
    const lines: string[] = [];
    const root = jsonLogger((l) => lines.push(l));
    const child = root.with({ cluster: 'east' });

    // Act
    child.redact(['hunter2-password']);
    root.log('error', 'connect failed: user sys password hunter2-password rejected');
    child.log('error', 'again', { detail: 'hunter2-password' });

    // Assess
    expect(lines.join('\n')).not.toContain('hunter2-password');
    expect(lines[0]).toContain('***');
  });
});
