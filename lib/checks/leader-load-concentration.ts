import { type GroupRate } from '../load/group-rates.js';
import { serverLoads, type ServerLoad } from '../load/server-load.js';
import { spreadLoad } from '../load/spread-load.js';
import { leaderMovability, unhealthyReplicas } from '../observation/leader-movability.js';
import type { Observation } from '../observation/types.js';
import { jetStreamClusters } from './jetstream-clusters.js';
import { LEADER_BALANCE_DEFAULTS, hotEntries, type LeaderCounts } from '../domain/leader-balance.js';
import { natscli } from './natscli.js';
import { defineCheck } from './define-check.js';
import type { FindingDraft, ThresholdSpec, Unjudged } from './types.js';
import { clusterLeaderCounts } from './cluster-leader-counts.js';

/** Busiest groups and step-downs listed per finding; the totals say how many there were. */
const MAX_LISTED = 10;

export const LOAD_CONCENTRATION_DEFAULTS = {
  /** Hot strictly above this multiple of the cluster's average write rate per server. */
  ratio: 1.5,
  criticalRatio: 3,
  /**
   * A server must also write at least this many messages a second to be
   * hot, so an idle cluster (where one stray publish is "100 % of the
   * writes") never flags. A few hundred messages a second is nothing to a
   * NATS server; this is a floor against noise, not a capacity limit.
   */
  minRate: 100,
} as const;

const THRESHOLDS = [
  { key: 'ratio', description: "A server is hot above this multiple of the cluster's average write rate per server", default: LOAD_CONCENTRATION_DEFAULTS.ratio, unit: 'ratio', min: 1 },
  { key: 'critical_ratio', description: 'Hot servers at or above this multiple of the average are critical (once persistent)', default: LOAD_CONCENTRATION_DEFAULTS.criticalRatio, unit: 'ratio', min: 1 },
  { key: 'min_rate', description: 'Messages written per second a server must also lead, so idle clusters never flag', default: LOAD_CONCENTRATION_DEFAULTS.minRate, unit: 'messages/s', min: 0 },
] as const satisfies readonly ThresholdSpec[];

/** The keys of THRESHOLDS, which judgeCluster reads. */
type ThresholdKey = (typeof THRESHOLDS)[number]['key'];

export const leaderLoadConcentration = defineCheck({
  id: 'leader_load_concentration',
  title: 'Leader load concentration',
  description:
    "Some server's led streams carry far more of the cluster's writes than its share, whatever the leader counts say. Per cluster, a stream's write rate is the growth of its last sequence between this epoch and the last one that saw its counters (stream detail), over the time between the two replies by the servers' own clocks; a server's load is the sum over the replicated streams it leads, in messages per second, which decide (bytes per second are reported beside them, and consumer deliveries, summed over the consumers each server leads, every `--load-detail-every` epochs). Groups first seen, recreated or reset have no rate this epoch and are counted apart. Not judged on a first epoch, on an epoch some server of the cluster sent no stream detail, or while an expected server is silent; a finding open then stays open. Lists the hot server's busiest streams with their rates and the step-downs that would even the load (only groups `nats-audit rebalance` would move), and says whether the leader count tells the same story.",
  reads: ['JSZ'],
  severities: ['warning', 'critical'],
  thresholds: THRESHOLDS,
  run({ observation, thresholds, load }) {
    // Neither case says anything of a finding open before: it stays open as it was.
    if (load === undefined) return { findings: [], unjudged: [{ subject: '*', reason: 'no write rates yet: no stream counters remembered from an earlier epoch' }] };
    // As for the count check: a silent server's groups are necessarily led elsewhere.
    if (observation.servers.length < observation.expectedServerCount) {
      return { findings: [], unjudged: [{ subject: '*', reason: 'an expected server is silent: its leaders necessarily sit elsewhere' }] };
    }
    const findings: FindingDraft[] = [];
    const unjudged: Unjudged[] = [];
    const counts = new Map(clusterLeaderCounts(observation).map((c) => [c.cluster, c.counts]));
    for (const [cluster, members] of jetStreamClusters(observation.servers)) {
      // Rates cover only the groups in the detail gathered: where servers count
      // their own leaders, every server sends it only every --load-detail-every
      // epochs, and a load judged from some servers' groups would be no load at all.
      const undetailed = members.filter((m) => m.detailed !== true).map((m) => m.name);
      if (undetailed.length > 0) {
        unjudged.push({
          subject: `cluster:${cluster}`,
          reason: `${undetailed.join(', ')} sent no stream detail this epoch, so write rates are incomplete (every server is asked every --load-detail-every epochs)`,
        });
        continue;
      }
      const inCluster = (r: GroupRate) => (r.group.cluster ?? '') === cluster;
      const rates = load.rates.filter(inCluster);
      const deliveries = load.consumers?.rates.filter(inCluster);
      const finding = judgeCluster(cluster, members.map((m) => m.name), rates, deliveries, observation, counts.get(cluster), thresholds);
      if (!finding) continue;
      findings.push({
        ...finding,
        details: {
          ...finding.details,
          since: load.since,
          unrated: load.unrated,
          missing: load.missing,
          ...(load.consumers ? { deliveriesSince: load.consumers.since } : {}),
        },
      });
    }
    return { findings, unjudged };
  },
});

interface StepDown {
  readonly rate: GroupRate;
  readonly to: string;
}

function judgeCluster(
  cluster: string,
  members: readonly string[],
  rates: readonly GroupRate[],
  /** Consumer delivery rates, on the epochs that rate consumers: reported, never judged. */
  deliveries: readonly GroupRate[] | undefined,
  observation: Pick<Observation, 'servers'>,
  counts: ReadonlyMap<string, LeaderCounts> | undefined,
  thresholds: Readonly<Record<ThresholdKey, number>>,
): FindingDraft | undefined {
  const loads = serverLoads(members, deliveries ? [...rates, ...deliveries] : rates);
  const total = sum([...loads.values()].map((l) => l.writes));
  const average = total / members.length;
  if (average <= 0) return undefined;
  const hot = [...loads.values()]
    .filter((l) => l.writes > thresholds.ratio * average && l.writes >= thresholds.min_rate)
    .sort((a, b) => b.writes - a.writes);
  if (hot.length === 0) return undefined;

  const answering = new Set(observation.servers.map((s) => s.name));
  const stepDowns = evenOut(loads, answering);
  const countHot = new Set(counts ? hotEntries(counts, LEADER_BALANCE_DEFAULTS).hot.map((h) => h.server) : []);
  const totalStreams = counts ? sum([...counts.values()].map((c) => c.streams)) : undefined;
  const worst = hot[0]!.writes / average;
  const commands = stepDowns.map(({ rate: { group }, to }) => `${natscli.streamStepDown(group.stream)}  # until ${to} leads (${group.account})`);
  const listed = commands.slice(0, MAX_LISTED);
  if (commands.length > listed.length) listed.push(`... and ${commands.length - listed.length} more`);

  return {
    subject: `cluster:${cluster}`,
    severity: worst >= thresholds.critical_ratio ? 'critical' : 'warning',
    summary: `Write load concentrated in cluster ${cluster}: ${hot.map((h) => describe(h, total, average, counts, totalStreams, countHot)).join('; ')}`,
    details: {
      cluster,
      metric: 'stream messages written per second, summed over the replicated streams each server leads',
      totalWrites: round(total),
      average: round(average),
      servers: Object.fromEntries(
        [...loads.values()].map((l) => [
          l.server,
          {
            writes: round(l.writes),
            bytesPerSecond: round(l.bytesPerSecond),
            share: round(l.writes / total),
            streamsRated: l.streams,
            ...(deliveries ? { deliveries: round(l.deliveries) } : {}),
            ...(counts?.get(l.server) ? { streamsLed: counts.get(l.server)!.streams } : {}),
          },
        ]),
      ),
      hot: hot.map((h) => ({
        server: h.server,
        writes: round(h.writes),
        ratio: round(h.writes / average),
        share: round(h.writes / total),
        countHot: countHot.has(h.server),
        busiest: h.busiest.slice(0, MAX_LISTED).map((r) => rateOf(r)),
        busiestTotal: h.busiest.length,
      })),
      stepDowns: stepDowns.slice(0, MAX_LISTED).map(({ rate, to }) => ({ ...rateOf(rate), from: rate.group.leader, to })),
      stepDownsTotal: stepDowns.length,
      loadAfterStepDowns: Object.fromEntries([...afterMoves(loads, stepDowns)].map(([s, w]) => [s, round(w)])),
    },
    remediation: [
      stepDowns.length > 0
        ? `Step down these streams (one at a time, using credentials of the owning account), re-checking between moves; afterwards the busiest server writes ${round(Math.max(...afterMoves(loads, stepDowns).values()))} msg/s:`
        : `No stream led by ${hot.map((h) => h.server).join(', ')} can move to a server with room (no healthy replica elsewhere, or one stream alone carries the load), so no step-down is listed.`,
      ...listed,
      'Or plan and pace the moves with `nats-audit rebalance --by load` (dry run by default).',
      `Verify: another \`nats-audit check\` a few epochs later shows the writes spread.`,
    ],
  };
}

/** e.g. `n1 leads 2 of 6 replicated streams, no more than its share, but 100 % of the writes (412 msg/s, 3.0x the average of 137 msg/s): ...` */
function describe(
  h: ServerLoad,
  total: number,
  average: number,
  counts: ReadonlyMap<string, LeaderCounts> | undefined,
  totalStreams: number | undefined,
  countHot: ReadonlySet<string>,
): string {
  const share = `${Math.round((100 * h.writes) / total)} % of the writes (${round(h.writes)} msg/s, ${(h.writes / average).toFixed(1)}x the average of ${round(average)} msg/s)`;
  const led = counts?.get(h.server)?.streams;
  if (led === undefined || totalStreams === undefined) return `${h.server} leads ${share}`;
  return countHot.has(h.server)
    ? `${h.server} leads ${led} of ${totalStreams} replicated streams and ${share}: count and load agree`
    : `${h.server} leads ${led} of ${totalStreams} replicated streams, no more than its share by count, but ${share}: the load is what matters here, and the leader count hides it`;
}

/**
 * Step-downs that lower the busiest server's write rate (spread-load.ts, the
 * load planner's starting plan), among streams the rebalancer would move
 * (leader-movability.ts, and no unhealthy replica a step-down could elect).
 */
function evenOut(loads: ReadonlyMap<string, ServerLoad>, answering: ReadonlySet<string>): StepDown[] {
  const names = [...loads.keys()];
  const index = new Map(names.map((n, i) => [n, i]));
  const movable = [...loads.values()]
    .flatMap((l) => l.busiest)
    .filter((r) => r.messagesPerSecond > 0 && unhealthyReplicas(r.group).length === 0)
    .map((r) => ({ rate: r, targets: leaderMovability(r.group, answering).targets.filter((t) => index.has(t)) }))
    .filter((m) => m.targets.length > 0);
  const { assignment } = spreadLoad(
    names.map((n) => loads.get(n)!.writes),
    movable.map((m) => ({ rate: m.rate.messagesPerSecond, at: index.get(m.rate.group.leader!)!, targets: m.targets.map((t) => index.get(t)!) })),
  );
  return movable
    .flatMap((m, i) => (names[assignment[i]!] === m.rate.group.leader ? [] : [{ rate: m.rate, to: names[assignment[i]!]! }]))
    .sort((a, b) => loads.get(b.rate.group.leader!)!.writes - loads.get(a.rate.group.leader!)!.writes || b.rate.messagesPerSecond - a.rate.messagesPerSecond);
}

function afterMoves(loads: ReadonlyMap<string, ServerLoad>, moves: readonly StepDown[]): Map<string, number> {
  const load = new Map([...loads].map(([s, l]) => [s, l.writes]));
  for (const { rate, to } of moves) {
    load.set(rate.group.leader!, load.get(rate.group.leader!)! - rate.messagesPerSecond);
    load.set(to, load.get(to)! + rate.messagesPerSecond);
  }
  return load;
}

function rateOf(r: GroupRate): Record<string, unknown> {
  return {
    account: r.group.account,
    stream: r.group.stream,
    writes: round(r.messagesPerSecond),
    bytesPerSecond: round(r.bytesPerSecond ?? 0),
    intervalMs: r.intervalMs,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
