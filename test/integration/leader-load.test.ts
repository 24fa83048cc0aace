import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { describe, expect, it } from 'vitest';
import { concentrateLeaders, createReplicatedStreams, streamLeaders, type LocalCluster } from '../../lib/local-cluster/index.js';
import { pollUntil } from '../../lib/util/poll.js';
import { useCluster } from '../support/cluster.js';
import { checkJson, systemEnv, useTempDir } from '../support/cli.js';
import { startPublisher } from '../support/publisher.js';

/** Two R3 streams led by each of n1, n2, n3: the leader counts are even. */
const LEADERS = { n1: ['LOAD_1', 'LOAD_2'], n2: ['LOAD_3', 'LOAD_4'], n3: ['LOAD_5', 'LOAD_6'] } as const;
const STREAMS = Object.values(LEADERS).flat();
/** Messages acknowledged between two epochs before the second runs: rates well above noise. */
const WRITES_BETWEEN_EPOCHS = 300;
/** And at least this long between them by the clock: rates need readings a second or more apart. */
const MIN_EPOCH_GAP_MS = 2_000;
/**
 * The load check's noise floor, lowered from its default (100 msg/s) because
 * the publisher of a loaded 2-core test machine may write fewer; the rule
 * under test is the ratio against the average, not the floor.
 */
const LOAD_ARGS = ['--threshold', 'leader_load_concentration.min_rate=10', '--load-detail-every', '1'];

interface LoadFinding {
  check: string;
  subject: string;
  summary: string;
  details: { hot: { server: string; countHot: boolean; busiest: { stream: string; writes: number }[] }[]; stepDowns: { stream: string; from: string }[] };
}

async function placeLeaders(c: LocalCluster): Promise<NatsConnection> {
  const app = await c.connect({ as: 'app' });
  await createReplicatedStreams(app, { count: STREAMS.length, replicas: 3, consumersPerStream: 0, prefix: 'LOAD' });
  for (const [server, streams] of Object.entries(LEADERS)) await concentrateLeaders(app, { onto: server, streams });
  const leaders = await streamLeaders(app, STREAMS);
  for (const [server, streams] of Object.entries(LEADERS)) for (const s of streams) expect(leaders[s], s).toBe(server);
  return app;
}

/** Waits until `publisher` has `writes` more acknowledged messages and `gapMs` passed since `since`. */
async function writesSince(publisher: { acknowledged: () => number }, from: number, since: number): Promise<void> {
  const reached = await pollUntil(
    async () => (publisher.acknowledged() - from >= WRITES_BETWEEN_EPOCHS && Date.now() - since >= MIN_EPOCH_GAP_MS) || undefined,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  expect(reached, `${WRITES_BETWEEN_EPOCHS} writes within 60 s`).toBe(true);
}

describe('leader load on a real 3-node cluster: even counts, all writes into the streams n1 leads', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();

  it('the count check stays quiet and leader_load_concentration flags n1 on the second epoch, naming its busy streams', async () => {
    const c = cluster();
    const app = await placeLeaders(c);
    const publisher = startPublisher(app, LEADERS.n1);
    try {
      const args = ['--state', join(dir, 'state.json'), '--cluster', 'load', ...LOAD_ARGS];
      await writesSince(publisher, 0, 0);
      const atFirst = publisher.acknowledged();
      const first = await checkJson(args, systemEnv(c));
      const firstEnded = Date.now();
      // A first epoch has nothing to compare with: no rates, no load finding.
      expect(first.report.findings.filter((f) => f.check === 'leader_load_concentration')).toEqual([]);

      await writesSince(publisher, atFirst, firstEnded);
      const second = await checkJson(args, systemEnv(c));

      const checks = second.report.findings.map((f) => f.check);
      expect(checks, JSON.stringify(second.report.findings)).not.toContain('uneven_leader_distribution');
      const load = second.report.findings.find((f) => f.check === 'leader_load_concentration') as unknown as LoadFinding | undefined;
      expect(load, JSON.stringify(second.report.findings)).toBeDefined();
      expect(load!.subject).toBe(`cluster:${c.name}`);
      expect(load!.summary).toMatch(/n1 leads 2 of 6 replicated streams, no more than its share by count, but 100 % of the writes/);
      expect(load!.details.hot.map((h) => h.server)).toEqual(['n1']);
      expect(load!.details.hot[0]!.countHot).toBe(false);
      expect(load!.details.hot[0]!.busiest.map((b) => b.stream).sort()).toEqual([...LEADERS.n1]);
      expect(load!.details.hot[0]!.busiest.every((b) => b.writes > 0)).toBe(true);
      expect(load!.details.stepDowns, JSON.stringify(load!.details)).toHaveLength(1);
      expect(load!.details.stepDowns[0]!.from).toBe('n1');
    } finally {
      await publisher.stop();
      await app.close();
    }
  }, 240_000);
});
