import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { checkCatalogue } from '../../lib/cli/help.js';

describe('nats-audit checks', () => {
  it('lists the exceptions critical at first sight with their reasons, and every other critical as once persistent', () => {
    // Act
    const text = checkCatalogue(defaultRegistry());

    // Assess
    const [header] = text.split('\n\n');
    expect(header).toBe(
      'Critical at first sight (every other critical starts as a warning and is raised once persistent): cluster_unreachable (every configured server is unreachable); meta_leader_disagreement (two or more servers each claim to be the meta leader).',
    );
    expect(text).toContain('  critical at first sight when two or more servers each claim to be the meta leader: both may accept JetStream API writes');
    const block = (id: string) => text.split('\n\n').find((b) => b.startsWith(`${id} [`))!;
    for (const id of ['meta_no_leader', 'server_missing', 'uneven_leader_distribution']) {
      expect(block(id)).toContain('critical only once persistent (a warning when first seen: it may be a passing election)');
    }
    expect(block('clock_skew')).not.toContain('critical');
    expect(block('leader_load_concentration')).toContain('critical only once persistent');
    expect(block('leader_load_concentration')).toContain('leader_load_concentration.min_rate=100 (messages/s)');
  });
});
