/**
 * JSZ `data` (`JSInfo` in server/monitor.go) -> {@link JszData}.
 *
 * Only the fields the checks read are declared; `z.object` drops the rest
 * without walking them, which keeps a 50k-stream reply cheap. Counters are
 * plain `z.number()`: uint64 fields such as `lag` may arrive as
 * 18446744073709552000 after JSON.parse and must still pass.
 * Go marshals nil slices, maps and pointers without `omitempty` as `null`,
 * so every optional container accepts null as "absent".
 */
import * as z from 'zod';
import { parseServerTime } from './envelope.js';
import { isReplyName, replyName } from './names.js';
import { isArrayOf, isBoolean, isCount, isNullish, isNumber, isObject, isOptional, isString } from '../util/plain-tests.js';
import type {
  ConsumerView,
  JszData,
  MetaClusterView,
  PeerView,
  RaftGroupClusterView,
  StreamView,
} from './types.js';

/**
 * A meta group size beyond this is no real cluster but a corrupt or hostile
 * reply; taken at its word it would make every other server "missing".
 */
export const MAX_CLUSTER_SIZE = 1_000;

/**
 * The schemas of JSZ `data`, built on first use: a valid reply never needs
 * them (`validJszData` below maps it without zod), and building zod schemas
 * is work every start of the CLI would otherwise pay before its first epoch.
 */
function buildJsInfoSchema() {
  /** Leaders a server counts itself (an `int`): whole and not negative, or the distribution check divides nonsense. */
  const leaderCount = z.number().int().min(0);

  /** `PeerInfo` (server/stream.go): `name`, `current`, `active`, `peer` are always sent. */
  const peerInfoSchema = z.object({
    name: replyName(),
    current: z.boolean(),
    offline: z.boolean().optional(),
    active: z.number().optional(),
    lag: z.number().optional(),
    peer: replyName().optional(),
  });

  /** `ClusterInfo` (server/stream.go). An R1 or non-clustered asset has no `replicas`. */
  const clusterInfoSchema = z.object({
    name: replyName().optional(),
    leader: replyName().optional(),
    replicas: z.array(peerInfoSchema).nullish(),
  });

  /** `SequenceInfo` (server/consumer.go): only the stream sequence is read, for delivery and ack rates. */
  const sequenceInfoSchema = z.object({ stream_seq: z.number().optional() });

  const consumerInfoSchema = z.object({
    name: replyName(),
    /** RFC 3339; a different value between epochs means the consumer was recreated (its counters restarted). */
    created: z.string().optional(),
    cluster: clusterInfoSchema.nullish(),
    delivered: sequenceInfoSchema.nullish(),
    ack_floor: sequenceInfoSchema.nullish(),
  });

  /** `StreamState` (server/store.go): the counters write rates are computed from. */
  const streamStateSchema = z.object({
    messages: z.number().optional(),
    bytes: z.number().optional(),
    last_seq: z.number().optional(),
  });

  const streamDetailSchema = z.object({
    name: replyName(),
    /** RFC 3339; a different value between epochs means the stream was recreated. */
    created: z.string().optional(),
    cluster: clusterInfoSchema.nullish(),
    state: streamStateSchema.nullish(),
    consumer_detail: z.array(consumerInfoSchema).nullish(),
  });

  const accountDetailSchema = z.object({
    name: replyName(),
    id: replyName().optional(),
    stream_detail: z.array(streamDetailSchema).nullish(),
  });

  /** `MetaClusterInfo`: `pending` from 2.10.21; `replicas` only on the server that thinks it leads. */
  const metaClusterSchema = z.object({
    name: replyName().optional(),
    leader: replyName().optional(),
    peer: replyName().optional(),
    cluster_size: z.number().max(MAX_CLUSTER_SIZE, { error: `above ${MAX_CLUSTER_SIZE}`, abort: true }).int().min(0).optional(),
    replicas: z.array(peerInfoSchema).nullish(),
    pending: z.number().optional(),
  });

  const jsInfoSchema = z.object({
    disabled: z.boolean().optional(),
    /** The server's clock when it built the reply (RFC 3339): rates divide by the difference of two of these. */
    now: z.string().optional(),
    /**
     * Only its presence matters; a disabled 2.9.10 server still sends a zeroed `config`.
     * (`z.unknown()` alone is a required key in zod 4.)
     */
    config: z.unknown().optional(),
    meta_cluster: metaClusterSchema.nullish(),
    /** 2.11.11+ / 2.12.1+ with `raft: true`, `omitempty`. */
    streams_leader: leaderCount.optional(),
    consumers_leader: leaderCount.optional(),
    /** Streams and consumers this server hosts (any replica, R1 included); every version sends them. */
    streams: leaderCount.optional(),
    consumers: leaderCount.optional(),
    account_details: z.array(accountDetailSchema).nullish(),
    /** 2.11+: `api.level`, the JetStream API level. Read leniently (see apiLevelOf): only step-down placement uses it. */
    api: z.unknown().optional(),
  });

  return jsInfoSchema;
}
type RawJsInfo = z.infer<ReturnType<typeof buildJsInfoSchema>>;
type RawMeta = NonNullable<RawJsInfo['meta_cluster']>;
type RawPeer = NonNullable<RawMeta['replicas']>[number];
type RawStream = NonNullable<NonNullable<RawJsInfo['account_details']>[number]['stream_detail']>[number];
type RawCluster = NonNullable<RawStream['cluster']>;

/** Go leaves `leader` out when there is none; treat an empty one the same way. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function toPeer(raw: RawPeer): PeerView {
  return {
    name: raw.name,
    current: raw.current,
    offline: raw.offline,
    activeNs: raw.active,
    lag: raw.lag,
    peer: raw.peer,
  };
}

function toPeers(raw: readonly RawPeer[] | null | undefined): readonly PeerView[] | undefined {
  return raw == null ? undefined : raw.map(toPeer);
}

function toCluster(raw: RawCluster | null | undefined): RaftGroupClusterView | undefined {
  if (raw == null) return undefined;
  return {
    name: raw.name,
    leader: nonEmpty(raw.leader),
    replicas: toPeers(raw.replicas) ?? [],
  };
}

function toMeta(raw: RawMeta | null | undefined): MetaClusterView | undefined {
  if (raw == null) return undefined;
  return {
    name: raw.name,
    leader: nonEmpty(raw.leader),
    peer: nonEmpty(raw.peer),
    clusterSize: raw.cluster_size,
    replicas: toPeers(raw.replicas),
    pending: raw.pending,
  };
}

function toJszData(raw: RawJsInfo): JszData {
  const streams: StreamView[] = [];
  for (const account of raw.account_details ?? []) {
    for (const stream of account.stream_detail ?? []) {
      const consumers: ConsumerView[] = (stream.consumer_detail ?? []).map((consumer) => ({
        name: consumer.name,
        cluster: toCluster(consumer.cluster),
        created: consumer.created,
        deliveredStreamSeq: consumer.delivered?.stream_seq,
        ackFloorStreamSeq: consumer.ack_floor?.stream_seq,
      }));
      streams.push({
        account: account.name,
        accountId: account.id,
        name: stream.name,
        cluster: toCluster(stream.cluster),
        consumers,
        created: stream.created,
        state: stream.state == null ? undefined : { messages: stream.state.messages, bytes: stream.state.bytes, lastSeq: stream.state.last_seq },
      });
    }
  }
  const meta = toMeta(raw.meta_cluster);
  const hasConfig = typeof raw.config === 'object' && raw.config !== null;
  return {
    disabled: raw.disabled === true || (meta === undefined && !hasConfig),
    meta,
    streamsLeader: raw.streams_leader,
    consumersLeader: raw.consumers_leader,
    hostedStreams: raw.streams,
    hostedConsumers: raw.consumers,
    hasDetail: raw.account_details != null,
    streams,
    now: raw.now === undefined ? undefined : parseServerTime(raw.now),
    apiLevel: apiLevelOf(raw.api),
  };
}

/** `api.level` when it is a whole number; a server before 2.11 sends no level, and an odd one is no level either. */
function apiLevelOf(api: unknown): number | undefined {
  const level = typeof api === 'object' && api !== null ? (api as Record<string, unknown>)['level'] : undefined;
  return typeof level === 'number' && Number.isInteger(level) && level >= 0 ? level : undefined;
}

/** Validates JSZ `data` and maps it to {@link JszData}. */
export const jszDataSchema: z.ZodType<JszData, unknown> = z.lazy(() => buildJsInfoSchema().transform(toJszData));

/*
 * The same rules as the schemas above, as plain tests. zod spends most of a
 * detail reply's time on bookkeeping for the tens of thousands of names,
 * peers and flags it checks; these check the same things without it and
 * without zod's copy of every object. They must never accept what the
 * schemas refuse (a property test in test/unit/hostile holds them to
 * exactly the schemas' verdict); whatever they refuse goes to zod, which
 * decides and words the issues.
 */

function isPeerInfo(value: unknown): boolean {
  return (
    isObject(value) &&
    isReplyName(value['name']) &&
    isBoolean(value['current']) &&
    isOptional(value['offline'], isBoolean) &&
    isOptional(value['active'], isNumber) &&
    isOptional(value['lag'], isNumber) &&
    isOptional(value['peer'], isReplyName)
  );
}

function isPeerList(value: unknown): boolean {
  return isNullish(value, (list) => isArrayOf(list, isPeerInfo));
}

function isClusterInfo(value: unknown): boolean {
  return isObject(value) && isOptional(value['name'], isReplyName) && isOptional(value['leader'], isReplyName) && isPeerList(value['replicas']);
}

function isSequenceInfo(value: unknown): boolean {
  return isObject(value) && isOptional(value['stream_seq'], isNumber);
}

function isConsumerInfo(value: unknown): boolean {
  return (
    isObject(value) &&
    isReplyName(value['name']) &&
    isOptional(value['created'], isString) &&
    isNullish(value['cluster'], isClusterInfo) &&
    isNullish(value['delivered'], isSequenceInfo) &&
    isNullish(value['ack_floor'], isSequenceInfo)
  );
}

function isStreamState(value: unknown): boolean {
  return (
    isObject(value) && isOptional(value['messages'], isNumber) && isOptional(value['bytes'], isNumber) && isOptional(value['last_seq'], isNumber)
  );
}

function isStreamDetail(value: unknown): boolean {
  return (
    isObject(value) &&
    isReplyName(value['name']) &&
    isOptional(value['created'], isString) &&
    isNullish(value['cluster'], isClusterInfo) &&
    isNullish(value['state'], isStreamState) &&
    isNullish(value['consumer_detail'], (list) => isArrayOf(list, isConsumerInfo))
  );
}

function isAccountDetail(value: unknown): boolean {
  return (
    isObject(value) &&
    isReplyName(value['name']) &&
    isOptional(value['id'], isReplyName) &&
    isNullish(value['stream_detail'], (list) => isArrayOf(list, isStreamDetail))
  );
}

function isClusterSize(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_CLUSTER_SIZE;
}

function isMetaCluster(value: unknown): boolean {
  return (
    isObject(value) &&
    isOptional(value['name'], isReplyName) &&
    isOptional(value['leader'], isReplyName) &&
    isOptional(value['peer'], isReplyName) &&
    isOptional(value['cluster_size'], isClusterSize) &&
    isPeerList(value['replicas']) &&
    isOptional(value['pending'], isNumber)
  );
}

function isJsInfo(value: unknown): value is RawJsInfo {
  return (
    isObject(value) &&
    isOptional(value['disabled'], isBoolean) &&
    isOptional(value['now'], isString) &&
    isNullish(value['meta_cluster'], isMetaCluster) &&
    isOptional(value['streams_leader'], isCount) &&
    isOptional(value['consumers_leader'], isCount) &&
    isOptional(value['streams'], isCount) &&
    isOptional(value['consumers'], isCount) &&
    isNullish(value['account_details'], (list) => isArrayOf(list, isAccountDetail))
  );
}

/**
 * {@link jszDataSchema}'s result for JSZ `data` that passes the plain tests,
 * mapped straight from the parsed reply; undefined when they refuse it.
 */
export function validJszData(raw: unknown): JszData | undefined {
  return isJsInfo(raw) ? toJszData(raw) : undefined;
}
