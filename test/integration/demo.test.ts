import { describe, expect, it } from 'vitest';
import type { Report } from '../../lib/epoch/report.js';
import { runCli } from '../support/cli.js';

interface DemoEpoch {
  readonly step: string;
  readonly report: Report;
}

const DEMO_BUDGET_MS = 240_000;

describe('nats-audit demo', () => {
  it(
    'tells the whole story on a throwaway cluster: ok, uneven, transient -> persistent -> resolved, two leaders, resolved',
    async () => {
      const result = await runCli(['demo', '--format', 'json', '--streams', '6'], { timeoutMs: DEMO_BUDGET_MS });
      expect(result.code).toBe(0);
      const epochs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as DemoEpoch);
      const disagreement = (e: DemoEpoch) => e.report.findings.find((f) => f.check === 'meta_leader_disagreement');

      expect(epochs[0]!.report.status).toBe('ok');
      const piled = epochs[1]!.report.findings.find((f) => f.check === 'uneven_leader_distribution');
      expect(piled).toMatchObject({ severity: 'warning', lifecycle: { persistent: false } });
      const stillPiled = epochs[2]!.report.findings.find((f) => f.check === 'uneven_leader_distribution');
      expect(stillPiled).toMatchObject({ severity: 'critical', lifecycle: { persistent: true, transition: 'became_persistent' } });

      const follower = epochs.filter((e) => e.step.startsWith('Follower'));
      const followerFindings = follower.map(disagreement).filter((f) => f !== undefined);
      expect(followerFindings[0]).toMatchObject({ severity: 'warning', lifecycle: { persistent: false } });
      expect(followerFindings.at(-1)).toMatchObject({ severity: 'critical', lifecycle: { persistent: true } });
      const healedFollower = epochs.find((e) => e.step.startsWith('Partition around') && epochs.indexOf(e) > epochs.indexOf(follower.at(-1)!))!;
      expect(healedFollower.report.resolved.map((r) => r.check)).toContain('meta_leader_disagreement');

      const leader = epochs.filter((e) => e.step.startsWith('Meta leader'));
      const claims = leader.map(disagreement).filter((f) => f !== undefined && (f.details.claimants as string[]).length >= 2);
      expect(claims.length).toBeGreaterThan(0);
      expect(claims.every((f) => f!.severity === 'critical')).toBe(true);
      const last = epochs.at(-1)!;
      expect(last.step).toMatch(/healed/);
      expect(disagreement(last)).toBeUndefined();
      expect(last.report.resolved.map((r) => r.check)).toContain('meta_leader_disagreement');

      expect(result.stderr).toContain('stopping the cluster and removing its files');
    },
    DEMO_BUDGET_MS + 10_000,
  );
});
