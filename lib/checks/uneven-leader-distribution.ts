import { groupKey } from '../observation/group-key.js';
import type { Observation, RaftGroup, ServerObservation } from '../observation/types.js';
import type { CheckDefinition, FindingDraft } from './types.js';
import {
  LEADER_BALANCE_DEFAULTS,
  hotEntries,
  leaderBalanceThresholds,
  ownLeaderCounts,
  type HotEntry,
  type LeaderBalanceThresholds,
  type LeaderCounts,
  type LeaderMetric,
} from './leader-balance.js';
import { natscli } from './natscli.js';

/** Step-down commands listed per finding before the rest is summarised as "... and N more". */
const MAX_LISTED_STEP_DOWNS = 25;

interface MutableCounts {
  streams: number;
  consumers: number;
  total: number;
}

export const unevenLeaderDistribution: CheckDefinition = {
  id: 'uneven_leader_distribution',
  title: 'Uneven leader distribution',
  description:
    "Some servers lead far more stream or consumer Raft groups than their share of the cluster, concentrating write load until the hot server degrades. Counted per cluster: where every JetStream server of the cluster counts its own leaders (2.11.11+ / 2.12.1+), by those counts, which include R1 assets; otherwise over the replicated groups in the stream detail (R1 assets have no election to move). Step-downs are chosen from the hot servers' replicated groups.",
  reads: ['JSZ'],
  severities: ['warning', 'critical'],
  thresholds: [
    { key: 'ratio', description: "A server is hot above this multiple of the cluster's average leader count", default: LEADER_BALANCE_DEFAULTS.ratio, unit: 'ratio', min: 1 },
    { key: 'critical_ratio', description: 'Hot servers at or above this multiple of the average are critical', default: 3, unit: 'ratio', min: 1 },
    { key: 'min_excess', description: 'Leaders above the average a server must also have, so tiny clusters do not flap', default: LEADER_BALANCE_DEFAULTS.minExcess, unit: 'count', min: 0 },
  ],
  run({ observation, thresholds }) {
    const findings: FindingDraft[] = [];
    for (const [cluster, members] of jetStreamServersByCluster(observation.servers)) {
      const detail = observation.groups.filter((g) => (g.cluster ?? '') === cluster);
      const groups = detail.filter((g) => g.leader !== undefined && g.replicas.length > 0);
      const finding = judgeCluster(cluster, members, groups, thresholds);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};

function judgeCluster(
  cluster: string,
  members: readonly ServerObservation[],
  groups: readonly RaftGroup[],
  thresholds: Readonly<Record<string, number>>,
): FindingDraft | undefined {
  const { counts, source } = leaderCounts(members, groups);
  const { averages, hot } = hotEntries(counts, leaderBalanceThresholds(thresholds));
  if (hot.length === 0) return undefined;

  const hotServers = [...new Set(hot.map((h) => h.server))];
  const worst = hot.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const stepDowns = stepDownPlan(hotServers, counts, averages, groups, hot);
  const commands = stepDowns.map((g) =>
    g.kind === 'stream' ? natscli.streamStepDown(g.stream) : natscli.consumerStepDown(g.stream, g.consumer!),
  );
  const listed = commands.slice(0, MAX_LISTED_STEP_DOWNS);
  if (commands.length > listed.length) listed.push(`... and ${commands.length - listed.length} more`);

  return {
    subject: `cluster:${cluster}`,
    severity: worst.ratio >= thresholds.critical_ratio! ? 'critical' : 'warning',
    summary: `Leaders concentrated in cluster ${cluster}: ${hotServers.map((server) => describeHot(hot.filter((h) => h.server === server))).join('; ')}`,
    details: {
      cluster,
      source,
      counts: Object.fromEntries(counts),
      average: roundAll(averages),
      hot: hot.map((h) => ({ ...h, average: round(h.average), ratio: round(h.ratio) })),
      stepDowns: stepDowns.slice(0, MAX_LISTED_STEP_DOWNS).map(({ kind, account, stream, consumer, leader }) => ({ kind, account, stream, consumer, leader })),
      stepDownsTotal: stepDowns.length,
    },
    remediation: [
      ...(source === 'server_counts' ? [SERVER_COUNTS_NOTE] : []),
      stepDowns.length > 0
        ? `Step down these groups on ${hotServers.join(', ')} (one at a time, using credentials of the owning account${accountsOf(stepDowns)}), re-checking between moves:`
        : `No replicated group led by ${hotServers.join(', ')} is in the stream detail gathered (they lead only R1 assets, or their detail did not arrive), so no step-down is listed.`,
      ...listed,
      'Or plan and pace the moves with `nats-audit rebalance` (dry run by default).',
      `Verify: \`${natscli.reportJetStream}\` and another \`nats-audit check\` show leaders spread evenly.`,
    ],
  };
}

const SERVER_COUNTS_NOTE =
  'These counts come from the servers themselves and include R1 assets, which have no election to move; only replicated groups are listed to step down.';

/**
 * The thresholds gather flags counting servers with (`GatherConfig.leaderBalance`),
 * from check settings' overrides: the servers this check would call hot.
 */
export function leaderBalanceFor(
  overrides: Readonly<Record<string, Readonly<Record<string, number>>>>,
): LeaderBalanceThresholds {
  return leaderBalanceThresholds(overrides[unevenLeaderDistribution.id]);
}

/** One server's worst metric, e.g. `n1 leads 18 Raft groups (3.0x the average of 6.0)`. */
function describeHot(entries: readonly HotEntry[]): string {
  const worst = entries.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const what = worst.metric === 'total' ? 'Raft groups' : worst.metric;
  return `${worst.server} leads ${worst.count} ${what} (${worst.ratio.toFixed(1)}x the average of ${worst.average.toFixed(1)})`;
}

/**
 * Leaders per answering JetStream server, per cluster (`''` for servers in
 * none), counted as this check counts them, so a metric or a report showing
 * leaders per server agrees with the check's verdict.
 */
export function leadersPerServer(
  observation: Pick<Observation, 'servers' | 'groups'>,
): Map<string, { counts: Map<string, LeaderCounts>; source: 'groups' | 'server_counts' }> {
  const result = new Map<string, { counts: Map<string, LeaderCounts>; source: 'groups' | 'server_counts' }>();
  for (const [cluster, members] of jetStreamServersByCluster(observation.servers, 1)) {
    const groups = observation.groups.filter((g) => (g.cluster ?? '') === cluster && g.leader !== undefined && g.replicas.length > 0);
    result.set(cluster, leaderCounts(members, groups));
  }
  return result;
}

function jetStreamServersByCluster(servers: readonly ServerObservation[], minMembers = 2): Map<string, ServerObservation[]> {
  const map = new Map<string, ServerObservation[]>();
  for (const s of servers) {
    if (!s.jetstream) continue;
    const key = s.cluster ?? '';
    const list = map.get(key);
    if (list) list.push(s);
    else map.set(key, [s]);
  }
  for (const [key, list] of map) if (list.length < minMembers) map.delete(key);
  return map;
}

/**
 * Leader counts per member. When every member counts its own leaders
 * (2.11.11+ / 2.12.1+ with raft), those counts, R1 included, whatever detail
 * arrived: gather asks such servers for detail only when they are hot, so
 * the groups cover only some servers. The server omits a zero count
 * (`omitempty`), so on a counting version an absent count is zero (when
 * none is present at all, the counts were not asked for and the groups
 * decide). Otherwise the replicated groups of the detail.
 */
function leaderCounts(
  members: readonly ServerObservation[],
  groups: readonly RaftGroup[],
): { counts: Map<string, LeaderCounts>; source: 'groups' | 'server_counts' } {
  const own = ownLeaderCounts(members, (s) => s.name);
  if (own) return { counts: own, source: 'server_counts' };
  const counts = new Map<string, MutableCounts>(members.map((s) => [s.name, { streams: 0, consumers: 0, total: 0 }]));
  for (const g of groups) {
    const c = counts.get(g.leader!);
    if (!c) continue; // led by a server outside this cluster's answering members
    if (g.kind === 'stream') c.streams++;
    else c.consumers++;
    c.total++;
  }
  return { counts, source: 'groups' };
}

/**
 * The groups to step down so each hot server comes down to its share: for a
 * hot stream or consumer count, enough of that kind; for a hot total, the
 * remainder, streams first. Groups whose other replicas are current come
 * first, since a step-down to a lagging peer stalls the group. With server
 * counts, which include R1 assets, the hot server may lead fewer
 * replicated groups than its excess: then all of them.
 */
function stepDownPlan(
  hotServers: readonly string[],
  counts: ReadonlyMap<string, LeaderCounts>,
  averages: LeaderCounts,
  groups: readonly RaftGroup[],
  hot: readonly HotEntry[],
): RaftGroup[] {
  const plan: RaftGroup[] = [];
  for (const server of hotServers) {
    const c = counts.get(server)!;
    const led = groups
      .filter((g) => g.leader === server)
      .sort((a, b) => readiness(b) - readiness(a) || groupKey(a).localeCompare(groupKey(b)));
    const metrics = new Set(hot.filter((h) => h.server === server).map((h) => h.metric));
    const excess = (m: LeaderMetric) => Math.max(0, c[m] - Math.ceil(averages[m]));
    const streamMoves = metrics.has('streams') ? excess('streams') : 0;
    const consumerMoves = metrics.has('consumers') ? excess('consumers') : 0;
    const streams = led.filter((g) => g.kind === 'stream');
    const consumers = led.filter((g) => g.kind === 'consumer');
    const chosen = [...streams.slice(0, streamMoves), ...consumers.slice(0, consumerMoves)];
    if (metrics.has('total')) {
      const rest = [...streams.slice(streamMoves), ...consumers.slice(consumerMoves)];
      chosen.push(...rest.slice(0, Math.max(0, excess('total') - chosen.length)));
    }
    plan.push(...chosen);
  }
  return plan;
}

function readiness(g: RaftGroup): number {
  return g.replicas.filter((r) => r.current && !r.offline).length;
}

function accountsOf(groups: readonly RaftGroup[]): string {
  const accounts = [...new Set(groups.map((g) => g.account))];
  return accounts.length > 0 ? `: ${accounts.join(', ')}` : '';
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function roundAll(c: LeaderCounts): LeaderCounts {
  return { streams: round(c.streams), consumers: round(c.consumers), total: round(c.total) };
}
