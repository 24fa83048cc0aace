/**
 * Which servers gather asks for JSZ stream detail under `jszDetail: 'flagged'`,
 * decided from the JSZ summaries (`{raft: true}`) one vantage heard. Pure:
 * summaries in, server ids out.
 */
import { hotEntries, ownLeaderCounts, type LeaderBalanceThresholds } from '../domain/leader-balance.js';
import { decodeReply } from '../domain/decode-reply.js';
import { countsOwnLeaders } from '../replies/index.js';
import type { JszData, ParsedReply } from '../replies/types.js';
import type { RawReply } from '../domain/raw-sample.js';
import { groupBy } from '../util/group-by.js';

/**
 * A summary is about a kilobyte whatever the number of streams; a larger
 * body is no summary (a server that ignored the body, or a hostile one) and
 * is not parsed on the gather path.
 */
export const MAX_SUMMARY_BYTES = 64 * 1024;

/** What the decision needs of one server's JSZ summary. */
export interface ServerSummary {
  readonly id: string;
  readonly name: string;
  readonly cluster?: string | undefined;
  readonly version: string;
  readonly jetstream: boolean;
  readonly streamsLeader?: number | undefined;
  readonly consumersLeader?: number | undefined;
}

/**
 * The summary in a JSZ reply, or undefined for anything but a small valid
 * one. Validated through `decodeReply`, so observe() reuses the result.
 */
export function summaryOf(reply: RawReply): ServerSummary | undefined {
  if (reply.body === undefined || reply.body.length > MAX_SUMMARY_BYTES) return undefined;
  const parsed = decodeReply('JSZ', reply) as ParsedReply<JszData> | undefined;
  if (parsed === undefined || !parsed.ok) return undefined;
  const { server, data } = parsed;
  return {
    id: server.id,
    name: server.name,
    cluster: server.cluster,
    version: server.version,
    jetstream: !data.disabled,
    streamsLeader: data.streamsLeader,
    consumersLeader: data.consumersLeader,
  };
}

/**
 * The servers whose own counts cannot say which groups they lead: asked for
 * detail as soon as they are heard, as under `per-server`.
 */
export function needsDetailAlways(version: string | undefined): boolean {
  return version === undefined || !countsOwnLeaders(version);
}

/**
 * Ids of the servers to ask for detail, per cluster of JetStream servers
 * (by `server.cluster`, as uneven_leader_distribution groups them):
 * - a member that cannot count its leaders makes the check count from
 *   groups, which needs detail from every member: all of them;
 * - every member counts but none sent a count: the counts were not asked
 *   for (`raft`), so the check counts from groups too: all of them;
 * - otherwise the members the check's rule calls hot by their counts, whose
 *   groups the step-down list is built from.
 * A cluster of one is never judged and needs nothing. Non-JetStream servers
 * are no member of any cluster here. A server heard twice counts once (the
 * last summary wins).
 */
export function serversNeedingDetail(
  summaries: readonly ServerSummary[],
  thresholds: LeaderBalanceThresholds,
): string[] {
  const byId = new Map<string, ServerSummary>();
  for (const s of summaries) if (s.jetstream) byId.set(s.id, s);
  const clusters = groupBy(byId.values(), (s) => s.cluster ?? '');
  const ids: string[] = [];
  for (const members of clusters.values()) {
    if (members.length < 2) continue;
    const counts = ownLeaderCounts(members, (s) => s.id);
    if (counts === undefined) {
      ids.push(...members.map((s) => s.id));
      continue;
    }
    const { hot } = hotEntries(counts, thresholds);
    ids.push(...new Set(hot.map((h) => h.server)));
  }
  return ids;
}
