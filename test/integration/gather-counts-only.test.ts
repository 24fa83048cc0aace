/**
 * The default gather (`jszDetail: 'flagged'`) against a real cluster of
 * whichever version NATS_SERVER_BIN names. Servers that count their own
 * leaders (2.11.11+ / 2.12.1+, detected from their JSZ here) are asked for
 * stream detail only when their counts make them hot; servers that cannot
 * count are each asked once, as before. The impersonated 2.11.12 servers of
 * gather-flagged-detail.test.ts cover what no real server here can show.
 */
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../lib/checks/index.js';
import { judge } from '../../lib/epoch/judge.js';
import { concentrateLeaders, createReplicatedStreams } from '../../lib/local-cluster/index.js';
import { observe } from '../../lib/observation/observe.js';
import { gather } from '../../lib/sampling/gather.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { useCluster } from '../support/cluster.js';
import { countsOwnLeaders } from '../support/server-features.js';

const STREAMS = 6;
const TIMEOUT_MS = 5_000;

describe('flagged JSZ detail on a real 3-node cluster', () => {
  const cluster = useCluster(3);
  let app: NatsConnection;
  let streams: string[];
  /** The servers count their own leaders: detail only for hot ones. */
  let counting: boolean;

  beforeAll(async () => {
    const c = cluster();
    app = await c.connect({ as: 'app' });
    streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 0, prefix: 'FLAGGED' });
    const sys = await c.connect({ as: 'system' });
    try {
      counting = await countsOwnLeaders(sys, c.servers.length);
    } finally {
      await sys.close();
    }
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  async function sampleCluster(): Promise<RawSample> {
    const c = cluster();
    await c.waitForMetaLeader();
    return gather({ servers: c.urls, auth: c.system, expectServers: c.servers.length, timeoutMs: TIMEOUT_MS });
  }

  /** Names of the servers asked for their own stream detail, sorted. */
  function detailAsked(sample: RawSample): string[] {
    const c = cluster();
    return sample.vantages
      .flatMap((v) => v.requests.filter((r) => r.endpoint === 'JSZ' && !r.subject.includes('.PING.')))
      .map((r) => c.servers.find((s) => r.subject === `$SYS.REQ.SERVER.${s.id}.JSZ`)?.name ?? r.subject)
      .sort();
  }

  function unevenFinding(sample: RawSample) {
    const { drafts } = judge(defaultRegistry(), { observation: observe(sample), history: [] }, { skip: new Set(), thresholds: {} });
    return drafts.find((d) => d.check === 'uneven_leader_distribution');
  }

  it('leaders spread evenly: servers that count are not asked for detail; servers that cannot are each asked once', async () => {
    // Prepare: two stream leaders per server.
    const names = cluster().servers.map((s) => s.name);
    for (const [i, onto] of names.entries()) {
      await concentrateLeaders(app, { onto, streams: streams.filter((_, k) => k % names.length === i) });
    }

    // Act
    const sample = await sampleCluster();

    // Assess
    expect(detailAsked(sample)).toEqual(counting ? [] : names);
    expect(unevenFinding(sample)).toBeUndefined();
  });

  it('every leader on n2: servers that count ask only n2 for detail; the finding steps down its streams', async () => {
    // Prepare
    await concentrateLeaders(app, { onto: 'n2', streams });

    // Act
    const sample = await sampleCluster();

    // Assess
    expect(detailAsked(sample)).toEqual(counting ? ['n2'] : ['n1', 'n2', 'n3']);
    const finding = unevenFinding(sample);
    expect(finding?.summary).toContain(`n2 leads ${STREAMS}`);
    const stepDowns = finding?.details.stepDowns as { kind: string; stream: string; leader: string }[];
    expect(stepDowns.length).toBeGreaterThan(0);
    expect(stepDowns.every((s) => s.kind === 'stream' && s.leader === 'n2' && streams.includes(s.stream))).toBe(true);
  });
});
