/**
 * The counts-only gather path on a live cluster whose servers count their
 * own leaders (2.11.11+ / 2.12.1+): every vantage PINGs for the JSZ summary
 * with the servers' `streams_leader` / `consumers_leader`, and stream
 * detail is asked only of a server those counts make hot
 * (lib/sampling/detail-policy.ts). Whether the servers count is read from
 * their summaries, never from a version string; on servers that do not,
 * nothing is measured and the report says so.
 *
 * Two phases on one cluster, each rounds of (bare summary PING, full
 * flagged epoch): leaders as the cluster placed them, then every stream
 * leader moved onto the first server, which its stream count makes hot.
 * What is compared is the epoch after its connection setup against the bare
 * summary PING, the servers' own reply time for what the epoch asks of all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRegistry } from '../lib/checks/index.js';
import { concentrateLeaders, type LocalCluster } from '../lib/local-cluster/index.js';
import { summaryOf, type ServerSummary } from '../lib/sampling/detail-policy.js';
import { GATHER_DEFAULTS } from '../lib/sampling/gather.js';
import type { RawSample } from '../lib/domain/raw-sample.js';
import { FileStateStore } from '../lib/state/file-state-store.js';
import { tallySample, type LiveBytes } from './bytes.js';
import { bareJszPing, fullEpoch } from './live-epoch.js';
import { median } from './stats.js';

export interface CountsOnlyOptions {
  /** Rounds per phase, after one warm-up round. */
  readonly repetitions: number;
  readonly timeoutMs: number;
}

export interface CountsPhase {
  readonly phase: 'as placed' | 'stream leaders piled on one server';
  /** Servers the last epoch asked for detail, by name. */
  readonly detailFrom: readonly string[];
  /** Each server's own counts in the last epoch's summaries: name -> streams / consumers led. */
  readonly counts: Readonly<Record<string, { streams: number; consumers: number }>>;
  readonly summaryBaselineMs: number;
  readonly totalMs: number;
  readonly afterSetupMs: number;
  /** Per round, (epoch minus its setup) ÷ the summary PING just before it. */
  readonly pairRatios: readonly number[];
  readonly bytes: LiveBytes;
}

export type CountsOnlyResult =
  | { readonly counting: false; readonly versions: readonly string[] }
  | {
      readonly counting: true;
      readonly versions: readonly string[];
      readonly phases: readonly CountsPhase[];
      readonly pile: { readonly ms: number; readonly stepDowns: number; readonly preferred: boolean; readonly onto: string };
    };

/** Every server's JSZ summary heard in `sample` (one per server, the last wins). */
export function summariesOf(sample: RawSample): ServerSummary[] {
  const byId = new Map<string, ServerSummary>();
  for (const v of sample.vantages) {
    for (const r of v.requests) {
      if (r.endpoint !== 'JSZ' || /"accounts":true/.test(r.requestBody)) continue;
      for (const reply of r.replies) {
        const s = summaryOf(reply);
        if (s) byId.set(s.id, s);
      }
    }
  }
  return [...byId.values()];
}

/** The servers' versions as they report them, for the report's text only. */
export function versionsOf(sample: RawSample): string[] {
  return [...new Set(summariesOf(sample).map((s) => s.version))].sort();
}

/** Whether every JetStream server sent its own leader counts: the feature the counts-only path needs. */
export function serversCountLeaders(sample: RawSample): boolean {
  const js = summariesOf(sample).filter((s) => s.jetstream);
  return js.length > 0 && js.every((s) => s.streamsLeader !== undefined || s.consumersLeader !== undefined);
}

/** Servers a sample's one-server detail requests (`$SYS.REQ.SERVER.<id>.JSZ`) went to, by name. */
function detailServers(sample: RawSample): string[] {
  const nameOf = new Map(summariesOf(sample).map((s) => [s.id, s.name]));
  const names = new Set<string>();
  for (const v of sample.vantages) {
    for (const r of v.requests) {
      if (r.endpoint !== 'JSZ' || !/"accounts":true/.test(r.requestBody)) continue;
      const id = r.subject.split('.')[3] ?? r.subject;
      names.add(nameOf.get(id) ?? id);
    }
  }
  return [...names].sort();
}

/** Measures the counts-only path on `cluster`, whose `streams` are R3; moves their leaders (run it last). */
export async function measureCountsOnly(cluster: LocalCluster, streams: readonly string[], opts: CountsOnlyOptions, log: (line: string) => void): Promise<CountsOnlyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nats-audit-bench-counts-'));
  try {
    const store = new FileStateStore(join(dir, 'state.json'));
    const registry = defaultRegistry();
    const urls = cluster.urls;
    const auth = { user: cluster.system.user, password: cluster.system.password };
    // Gzip asked for every reply, as across a network: the bytes are what this section is about.
    const epoch = () => fullEpoch({ urls, auth, store, registry, mode: 'flagged', timeoutMs: opts.timeoutMs, acceptGzip: 'always' });
    const summaryPing = (i: number) => bareJszPing(urls[i % urls.length]!, auth, urls.length, opts.timeoutMs, GATHER_DEFAULTS.jszSummaryOptions);

    const probe = await epoch();
    const versions = versionsOf(probe.sample);
    if (!serversCountLeaders(probe.sample)) {
      log(`counts: the servers (${versions.join(', ')}) send no leader counts; the counts-only path is not measured`);
      return { counting: false, versions };
    }

    const phase = async (name: CountsPhase['phase']): Promise<CountsPhase> => {
      await summaryPing(0);
      await epoch();
      const base: number[] = [];
      const total: number[] = [];
      const after: number[] = [];
      const ratios: number[] = [];
      let last: RawSample | undefined;
      for (let i = 0; i < opts.repetitions; i++) {
        const b = await summaryPing(i);
        const f = await epoch();
        base.push(b.pingMs);
        total.push(f.totalMs);
        after.push(f.totalMs - f.setupMs);
        ratios.push((f.totalMs - f.setupMs) / b.pingMs);
        last = f.sample;
      }
      const counts = Object.fromEntries(summariesOf(last!).map((s) => [s.name, { streams: s.streamsLeader ?? 0, consumers: s.consumersLeader ?? 0 }]));
      return { phase: name, detailFrom: detailServers(last!), counts, summaryBaselineMs: median(base), totalMs: median(total), afterSetupMs: median(after), pairRatios: ratios, bytes: tallySample(last!) };
    };

    log(`counts: ${opts.repetitions} rounds of summary PING / flagged epoch, leaders as placed`);
    const placed = await phase('as placed');
    const onto = cluster.servers[0]!.name;
    log(`counts: moving every stream leader onto ${onto}`);
    const app = await cluster.connect({ as: 'app', name: 'nats-audit-bench-pile' });
    const t0 = performance.now();
    let moved: { stepDowns: number; preferred: boolean };
    try {
      moved = await concentrateLeaders(app, { onto, streams, timeoutMs: 600_000 });
    } finally {
      await app.close();
    }
    const pile = { ms: performance.now() - t0, ...moved, onto };
    log(`counts: piled in ${(pile.ms / 1000).toFixed(1)} s (${pile.stepDowns} step-downs); ${opts.repetitions} more rounds`);
    const piled = await phase('stream leaders piled on one server');
    return { counting: true, versions, phases: [placed, piled], pile };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
