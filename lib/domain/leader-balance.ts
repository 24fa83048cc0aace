/**
 * The rule that makes a server "hot" in uneven_leader_distribution, on its
 * own so gather can apply it to the servers' own leader counts (2.11.11+)
 * and ask only the hot servers for stream detail.
 */
import { countsOwnLeaders } from '../replies/leader-counts.js';

export type LeaderMetric = 'streams' | 'consumers' | 'total';
export const LEADER_METRICS: readonly LeaderMetric[] = ['streams', 'consumers', 'total'];

export interface LeaderCounts {
  readonly streams: number;
  readonly consumers: number;
  readonly total: number;
}

/** What makes a server hot; the check's `ratio` and `min_excess` thresholds. */
export interface LeaderBalanceThresholds {
  /** Hot strictly above this multiple of the cluster's average. */
  readonly ratio: number;
  /** ...and at least this many leaders above the average. */
  readonly minExcess: number;
}

/** The check's defaults, also what gather decides with when not told otherwise. */
export const LEADER_BALANCE_DEFAULTS: LeaderBalanceThresholds = { ratio: 1.5, minExcess: 2 };

export interface HotEntry {
  readonly server: string;
  readonly metric: LeaderMetric;
  readonly count: number;
  readonly average: number;
  readonly ratio: number;
}

/** The check's threshold values by key (`ratio`, `min_excess`), defaults for what is missing. */
export function leaderBalanceThresholds(values: Readonly<Record<string, number>> | undefined): LeaderBalanceThresholds {
  return {
    ratio: values?.ratio ?? LEADER_BALANCE_DEFAULTS.ratio,
    minExcess: values?.min_excess ?? LEADER_BALANCE_DEFAULTS.minExcess,
  };
}

/** What a server says of itself that its own leader counts are read from. */
export interface SelfCounting {
  readonly version: string;
  readonly streamsLeader?: number | undefined;
  readonly consumersLeader?: number | undefined;
}

/**
 * The members' own leader counts (R1 included), keyed by `key`, when they
 * can stand for the cluster: every member counts its leaders (2.11.11+ /
 * 2.12.1+) and at least one sent a count (they come only with `raft`; a
 * zero is omitted). Undefined otherwise: then counts must come from group
 * detail of every member. The check judges by this and gather decides
 * which servers to ask for detail by it, so the two cannot disagree.
 */
export function ownLeaderCounts<T extends SelfCounting>(members: readonly T[], key: (member: T) => string): Map<string, LeaderCounts> | undefined {
  const counted =
    members.every((s) => countsOwnLeaders(s.version)) && members.some((s) => s.streamsLeader !== undefined || s.consumersLeader !== undefined);
  if (!counted) return undefined;
  return new Map(
    members.map((s) => {
      const streams = s.streamsLeader ?? 0;
      const consumers = s.consumersLeader ?? 0;
      return [key(s), { streams, consumers, total: streams + consumers }];
    }),
  );
}

export function averageOf(counts: ReadonlyMap<string, LeaderCounts>): LeaderCounts {
  const sum = { streams: 0, consumers: 0, total: 0 };
  for (const c of counts.values()) {
    sum.streams += c.streams;
    sum.consumers += c.consumers;
    sum.total += c.total;
  }
  const n = Math.max(1, counts.size);
  return { streams: sum.streams / n, consumers: sum.consumers / n, total: sum.total / n };
}

/**
 * Every (server, metric) above both thresholds, in the map's order and
 * metric order; `counts` holds every member of one cluster, leading none included.
 */
export function hotEntries(
  counts: ReadonlyMap<string, LeaderCounts>,
  thresholds: LeaderBalanceThresholds,
): { readonly averages: LeaderCounts; readonly hot: readonly HotEntry[] } {
  const averages = averageOf(counts);
  const hot: HotEntry[] = [];
  for (const [server, c] of counts) {
    for (const metric of LEADER_METRICS) {
      const average = averages[metric];
      if (average === 0) continue;
      const ratio = c[metric] / average;
      if (ratio > thresholds.ratio && c[metric] - average >= thresholds.minExcess) {
        hot.push({ server, metric, count: c[metric], average, ratio });
      }
    }
  }
  return { averages, hot };
}

/** What a server says it hosts, for telling counts caught mid-election from real ones. */
export interface SelfHosting extends SelfCounting {
  readonly hostedStreams?: number | undefined;
  readonly hostedConsumers?: number | undefined;
}

/** Leader counts that cannot all be true at once: fewer leaders in the cluster than one member hosts groups. */
export interface LeaderCountGap {
  readonly metric: 'streams' | 'consumers';
  /** Sum of the members' own leader counts. */
  readonly led: number;
  /** The most groups of that kind one member hosts: each has a leader inside this cluster. */
  readonly hosted: number;
  readonly host: string;
}

/**
 * Where members count their own leaders: every stream or consumer a member
 * hosts has exactly one leader in the cluster, so the counts must sum to at
 * least what any one member hosts. Below that, some groups are between
 * leaders (right after a partition heals, 2.15.1 summed to a third of its
 * groups for a moment): the counts describe an election, not a placement.
 * Empty when they add up or the members do not count.
 */
export function leaderCountGaps<T extends SelfHosting>(members: readonly T[], key: (member: T) => string): LeaderCountGap[] {
  const counts = ownLeaderCounts(members, key);
  if (counts === undefined) return [];
  const gaps: LeaderCountGap[] = [];
  for (const metric of ['streams', 'consumers'] as const) {
    const led = [...counts.values()].reduce((sum, c) => sum + c[metric], 0);
    let hosted = 0;
    let host = '';
    for (const m of members) {
      const h = (metric === 'streams' ? m.hostedStreams : m.hostedConsumers) ?? 0;
      if (h > hosted) [hosted, host] = [h, key(m)];
    }
    if (led < hosted) gaps.push({ metric, led, hosted, host });
  }
  return gaps;
}
