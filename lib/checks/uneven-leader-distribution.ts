import { compareGroups } from '../domain/group-key.js';
import { leaderMovability, unhealthyReplicas, type UnmovableReason } from '../observation/leader-movability.js';
import type { RaftGroup } from '../observation/types.js';
import { defineCheck } from './define-check.js';
import type { FindingDraft, ThresholdSpec, Unjudged } from './types.js';
import type { LoadRates } from '../load/group-rates.js';
import { serverLoads } from '../load/server-load.js';
import {
  LEADER_BALANCE_DEFAULTS,
  hotEntries,
  leaderBalanceThresholds,
  type HotEntry,
  type LeaderBalanceThresholds,
  type LeaderCounts,
  type LeaderMetric,
} from '../domain/leader-balance.js';
import { natscli } from './natscli.js';
import { clusterLeaderCounts, countsMidElection, type ClusterLeaderCounts } from './cluster-leader-counts.js';
import { andMore, firstOf } from '../util/bounded.js';

/** Step-down commands listed per finding before the rest is summarised as "… and N more". */
const MAX_LISTED_STEP_DOWNS = 25;

/**
 * Why a hot server's leader is not suggested for a step-down: the planner's
 * reasons (leader-movability.ts), or a replica the rebalancer's gate would
 * refuse to risk electing.
 */
type Blocker = UnmovableReason | 'unhealthy_replica';

const BLOCKER_TEXT: Readonly<Record<Blocker, string>> = {
  leader_unknown: 'without a known leader',
  single_replica: 'R1 (no other replica to elect)',
  no_leader_view: 'reported only by a follower (its view of the replicas is stale)',
  no_current_replica: 'with no other replica healthy (online, heard from within 3 s, at most 100 entries behind)',
  unhealthy_replica: 'with a replica offline, silent or lagging (a step-down could elect it)',
};


const THRESHOLDS = [
  { key: 'ratio', description: "A server is hot above this multiple of the cluster's average leader count", default: LEADER_BALANCE_DEFAULTS.ratio, unit: 'ratio', min: 1 },
  { key: 'critical_ratio', description: 'Hot servers at or above this multiple of the average are critical', default: 3, unit: 'ratio', min: 1 },
  { key: 'min_excess', description: 'Leaders above the average a server must also have, so tiny clusters do not flap', default: LEADER_BALANCE_DEFAULTS.minExcess, unit: 'count', min: 0 },
] as const satisfies readonly ThresholdSpec[];
/** The keys of THRESHOLDS, which judgeCluster reads. */
type ThresholdKey = (typeof THRESHOLDS)[number]['key'];

export const unevenLeaderDistribution = defineCheck({
  id: 'uneven_leader_distribution',
  title: 'Uneven leader distribution',
  description:
    "Some servers lead far more stream or consumer Raft groups than their share of the cluster, concentrating write load until the hot server degrades. Counted per cluster: where every JetStream server of the cluster counts its own leaders (2.11.11+ / 2.12.1+), by those counts, corrected to replicated groups from the stream detail of each server those counts make hot; otherwise over the replicated groups in every server's stream detail. Either way only movable (replicated) Raft groups count: R1 assets have no election to move and are reported apart (r1Leaders). Counts that do not add up (fewer leaders than one server hosts groups, or a replicated group no server names a leader of: an election) are not judged, nor is the distribution while an expected server is silent; a finding open then stays open. Step-downs are chosen from the hot servers' replicated groups that `nats-audit rebalance` would move (seen from the leader, every replica healthy); the hot servers' leaders that cannot move are listed with the reason.",
  reads: ['JSZ'],
  severities: ['warning', 'critical'],
  thresholds: THRESHOLDS,
  run({ observation, thresholds, load }) {
    // With an expected server silent (stopped in a rolling restart, crashed,
    // cut off), its groups are necessarily led elsewhere: that is no
    // placement to judge, and no step-down could move a leader onto it.
    // server_missing reports the server; the distribution is judged again
    // once every server answers, and a finding open until then stays open.
    if (observation.servers.length < observation.expectedServerCount) {
      const silent = observation.expectedServerCount - observation.servers.length;
      return { findings: [], unjudged: [{ subject: '*', reason: `${silent} expected server${silent === 1 ? '' : 's'} silent: its leaders necessarily sit elsewhere` }] };
    }
    const findings: FindingDraft[] = [];
    const unjudged: Unjudged[] = [];
    for (const counted of clusterLeaderCounts(observation)) {
      // Counts caught mid-election describe no placement: never judged as a distribution.
      const [election] = countsMidElection(counted);
      if (election !== undefined) {
        unjudged.push({ subject: subjectOf(counted.cluster), reason: `an election in progress: ${election}` });
        continue;
      }
      const finding = judgeCluster(counted, thresholds);
      if (finding) findings.push(load ? withWriteShares(finding, counted, load) : finding);
    }
    return { findings, unjudged };
  },
});

function subjectOf(cluster: string): string {
  return `cluster:${cluster}`;
}

function judgeCluster(
  { cluster, members, counts, source, r1, uncorrected, groups }: ClusterLeaderCounts,
  thresholds: Readonly<Record<ThresholdKey, number>>,
): FindingDraft | undefined {
  const { averages, hot } = hotEntries(counts, leaderBalanceThresholds(thresholds));
  if (hot.length === 0) return undefined;

  const hotServers = [...new Set(hot.map((h) => h.server))];
  const worst = hot.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const answering = new Set(members.map((m) => m.name));
  const blocked = new Map<RaftGroup, Blocker>();
  // Replicated groups only: R1 assets are not counted (r1Leaders reports them).
  for (const g of groups) {
    if (!hotServers.includes(g.leader!)) continue;
    const why = blocker(g, answering);
    if (why) blocked.set(g, why);
  }
  const cannotMove = [...blocked].sort(([a], [b]) => compareGroups(a, b));
  const stuck = hotServers.filter((server) => cannotMove.some(([g]) => g.leader === server));
  const stepDowns = stepDownPlan(hotServers, counts, averages, groups.filter((g) => !blocked.has(g)), hot);
  const commands = stepDowns.map((g) =>
    g.kind === 'stream' ? natscli.streamStepDown(g.stream) : natscli.consumerStepDown(g.stream, g.consumer!),
  );
  const { shown, more } = firstOf(commands, MAX_LISTED_STEP_DOWNS);
  const listed = more > 0 ? [...shown, andMore(more)] : [...shown];

  return {
    subject: subjectOf(cluster),
    severity: worst.ratio >= thresholds.critical_ratio ? 'critical' : 'warning',
    summary: `Leaders concentrated in cluster ${cluster}: ${hotServers.map((server) => describeHot(hot.filter((h) => h.server === server))).join('; ')}${
      stepDowns.length === 0 && stuck.length > 0 ? `; none of their leaders can move now (${describeBlocked(cannotMove)})` : ''
    }`,
    details: {
      cluster,
      source,
      counts: Object.fromEntries(counts),
      ...(source === 'server_counts' ? { r1Leaders: Object.fromEntries(r1), countsUncorrected: uncorrected } : {}),
      average: roundAll(averages),
      hot: hot.map((h) => ({ ...h, average: round(h.average), ratio: round(h.ratio) })),
      stepDowns: stepDowns.slice(0, MAX_LISTED_STEP_DOWNS).map(({ kind, account, stream, consumer, leader }) => ({ kind, account, stream, consumer, leader })),
      stepDownsTotal: stepDowns.length,
      cannotMove: cannotMove
        .slice(0, MAX_LISTED_STEP_DOWNS)
        .map(([{ kind, account, stream, consumer, leader }, reason]) => ({ kind, account, stream, consumer, leader, reason })),
      cannotMoveTotal: cannotMove.length,
    },
    remediation: [
      ...(source === 'server_counts' ? [serverCountsNote(hotServers, uncorrected)] : []),
      stepDowns.length > 0
        ? `Step down these groups on ${hotServers.join(', ')} (one at a time, using credentials of the owning account${accountsOf(stepDowns)}), re-checking between moves:`
        : stuck.length > 0
          ? `No group led by ${hotServers.join(', ')} can be stepped down safely now, so no step-down is listed.`
          : `No replicated group led by ${hotServers.join(', ')} is in the stream detail gathered (they lead only R1 assets, or their detail did not arrive), so no step-down is listed.`,
      ...listed,
      ...stuck.map((server) => {
        const on = cannotMove.filter(([g]) => g.leader === server);
        return `On ${server}, ${on.length} leader${on.length === 1 ? '' : 's'} cannot move now: ${describeBlocked(on)}.`;
      }),
      'Or plan and pace the moves with `nats-audit rebalance` (dry run by default).',
      `Verify: \`${natscli.reportJetStream}\` and another \`nats-audit check\` show leaders spread evenly.`,
    ],
  };
}

/**
 * When rates are known, says what share of the writes the hot servers lead,
 * so a reader can tell which notion matters: many leaders of idle streams
 * cost elections when that server goes (failover), not throughput.
 */
function withWriteShares(finding: FindingDraft, counted: ClusterLeaderCounts, load: LoadRates): FindingDraft {
  const hot = (finding.details.hot as readonly HotEntry[]).map((h) => h.server);
  const loads = serverLoads(counted.members.map((m) => m.name), load.rates.filter((r) => (r.group.cluster ?? '') === counted.cluster));
  const total = [...loads.values()].reduce((sum, l) => sum + l.writes, 0);
  if (total <= 0) return finding;
  const shares = Object.fromEntries([...new Set(hot)].map((s) => [s, Math.round((100 * (loads.get(s)?.writes ?? 0)) / total)]));
  const light = Object.entries(shares).filter(([, share]) => share <= 100 / loads.size);
  const note =
    light.length > 0
      ? `By write load, ${light.map(([s, share]) => `${s} leads ${share} % of the writes`).join(', ')}, no more than ${light.length === 1 ? 'its' : 'their'} share: the count matters for failover (each group it leads holds an election if it goes), not for throughput (leader_load_concentration judges that).`
      : `By write load, ${Object.entries(shares).map(([s, share]) => `${s} leads ${share} % of the writes`).join(', ')}: count and load agree.`;
  return { ...finding, details: { ...finding.details, writeShares: shares }, remediation: [...finding.remediation, note] };
}

/** How the servers' own counts were turned into counts of movable groups. */
function serverCountsNote(hotServers: readonly string[], uncorrected: readonly string[]): string {
  const left = hotServers.filter((s) => uncorrected.includes(s));
  const base =
    "Counts are the servers' own, corrected to replicated groups (R1 assets have no election to move) from the stream detail of each server that sent it";
  return left.length > 0
    ? `${base}; ${left.join(', ')} sent none this epoch, so ${left.length === 1 ? 'its count' : 'their counts'} may still include R1 assets.`
    : `${base}.`;
}

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
 * The groups to step down so each hot server comes down to its share: for a
 * hot stream or consumer count, enough of that kind; for a hot total, the
 * remainder, streams first. `groups` holds only groups that can be stepped
 * down safely (see `blocker`). With server counts, which include R1 assets,
 * or with groups that cannot move, the hot server may lead fewer such
 * groups than its excess: then all of them.
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
    const led = groups.filter((g) => g.leader === server).sort(compareGroups);
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

/**
 * Why a step-down of this group should not be suggested, or undefined: the
 * planner's rule (a healthy replica to take over, seen from the leader) and
 * its gate's (no unhealthy replica a plain step-down could elect), so the
 * check never suggests a step-down `nats-audit rebalance` would refuse.
 */
function blocker(g: RaftGroup, answering: ReadonlySet<string>): Blocker | undefined {
  const { reason } = leaderMovability(g, answering);
  if (reason) return reason;
  return unhealthyReplicas(g).length > 0 ? 'unhealthy_replica' : undefined;
}

/** e.g. `3 with no other replica healthy (...), 1 R1 (...)`, most common reason first. */
function describeBlocked(groups: readonly (readonly [RaftGroup, Blocker])[]): string {
  const byReason = new Map<Blocker, number>();
  for (const [, why] of groups) byReason.set(why, (byReason.get(why) ?? 0) + 1);
  return [...byReason]
    .sort((a, b) => b[1] - a[1])
    .map(([why, n]) => `${n} ${BLOCKER_TEXT[why]}`)
    .join(', ');
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
