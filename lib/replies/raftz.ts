/**
 * RAFTZ `data` (`RaftzStatus` in server/monitor.go, 2.10.26+ / 2.11.0+):
 * account name -> Raft group name -> `RaftzGroup`.
 *
 * The meta group is `_meta_` under the system account, whose name ("SYS",
 * "$SYS", a public key) the reply does not state; only the system account
 * has a `_meta_` group, so the first account holding one is taken. Only that
 * group is validated: the others (every stream and consumer group when the
 * request names an asset account) are dropped unread.
 * `data` is null when the server has no system account.
 */
import * as z from 'zod';
import { isReplyName, replyName } from './names.js';
import { isNullish, isNumber, isObject, isOptional, isRecordOf } from '../util/plain-tests.js';
import type { RaftzData, RaftzMetaView } from './types.js';

/** `defaultMetaGroupName` in server/jetstream_cluster.go. */
export const META_GROUP_NAME = '_meta_';

/** Built on first use, as the JSZ schemas are (jsz.ts): a CLI start should not pay for what its epoch may not read. */
function buildRaftzStatusSchema() {
  const raftzPeerSchema = z.object({
    /** `serverNameForNode`: empty when this server does not know the peer's name. */
    name: replyName().optional(),
  });

  const raftzGroupSchema = z.object({
    /** This server's own peer id in the group. */
    id: replyName(),
    /** LEADER, FOLLOWER, CANDIDATE, CLOSED (or UNKNOWN). */
    state: replyName(),
    term: z.number(),
    /** Peer id, `omitempty`: absent while there is no leader. */
    leader: replyName().optional(),
    committed: z.number().optional(),
    applied: z.number().optional(),
    /** Excludes this server itself. */
    peers: z.record(replyName(), raftzPeerSchema).nullish(),
  });

  const raftzStatusSchema = z
    .record(z.string(), z.object({ [META_GROUP_NAME]: raftzGroupSchema.optional() }))
    .nullable();

  return raftzStatusSchema;
}
type RawStatus = z.infer<ReturnType<typeof buildRaftzStatusSchema>>;
type RawGroup = NonNullable<NonNullable<RawStatus>[string][typeof META_GROUP_NAME]>;

function toMetaView(raw: RawGroup): RaftzMetaView {
  const peerNames: Record<string, string> = {};
  for (const [peerId, peer] of Object.entries(raw.peers ?? {})) {
    if (peer.name !== undefined && peer.name !== '') peerNames[peerId] = peer.name;
  }
  return {
    term: raw.term,
    state: raw.state,
    leaderPeer: raw.leader === '' ? undefined : raw.leader,
    selfPeer: raw.id,
    peerNames,
    committed: raw.committed,
    applied: raw.applied,
  };
}

function toRaftzData(raw: RawStatus): RaftzData {
  for (const groups of Object.values(raw ?? {})) {
    const meta = groups[META_GROUP_NAME];
    if (meta !== undefined) return { meta: toMetaView(meta) };
  }
  return { meta: undefined };
}

/** Validates RAFTZ `data` and maps the meta group to {@link RaftzData}. */
export const raftzDataSchema: z.ZodType<RaftzData, unknown> = z.lazy(() => buildRaftzStatusSchema().transform(toRaftzData));

function isRaftzPeer(value: unknown): boolean {
  return isObject(value) && isOptional(value['name'], isReplyName);
}

function isRaftzGroup(value: unknown): boolean {
  return (
    isObject(value) &&
    isReplyName(value['id']) &&
    isReplyName(value['state']) &&
    isNumber(value['term']) &&
    isOptional(value['leader'], isReplyName) &&
    isOptional(value['committed'], isNumber) &&
    isOptional(value['applied'], isNumber) &&
    isNullish(value['peers'], (peers) => isRecordOf(peers, isReplyName, isRaftzPeer))
  );
}

function isAccountGroups(value: unknown): boolean {
  return isObject(value) && isOptional(value[META_GROUP_NAME], isRaftzGroup);
}

function isRaftzStatus(value: unknown): value is RawStatus {
  return value === null || isRecordOf(value, () => true, isAccountGroups);
}

/**
 * {@link raftzDataSchema}'s result for RAFTZ `data` that passes the same
 * rules as plain tests (lib/util/plain-tests.ts), mapped without zod;
 * undefined when they refuse it, and the schema then decides.
 */
export function validRaftzData(raw: unknown): RaftzData | undefined {
  return isRaftzStatus(raw) ? toRaftzData(raw) : undefined;
}
