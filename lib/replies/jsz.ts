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
import { replyName } from './names.js';
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

/** Leaders a server counts itself (an `int`): whole and not negative, or the distribution check divides nonsense. */
const leaderCount = z.number().int().min(0);

/** `PeerInfo` (server/stream.go): `name`, `current`, `active`, `peer` are always sent. */
const peerInfoSchema = z.object({
  name: replyName,
  current: z.boolean(),
  offline: z.boolean().optional(),
  active: z.number().optional(),
  lag: z.number().optional(),
  peer: replyName.optional(),
});
type RawPeer = z.infer<typeof peerInfoSchema>;

/** `ClusterInfo` (server/stream.go). An R1 or non-clustered asset has no `replicas`. */
const clusterInfoSchema = z.object({
  name: replyName.optional(),
  leader: replyName.optional(),
  replicas: z.array(peerInfoSchema).nullish(),
});
type RawCluster = z.infer<typeof clusterInfoSchema>;

const consumerInfoSchema = z.object({
  name: replyName,
  cluster: clusterInfoSchema.nullish(),
});

const streamDetailSchema = z.object({
  name: replyName,
  cluster: clusterInfoSchema.nullish(),
  /** Present only when the request asked for `config: true`. */
  config: z.object({ num_replicas: z.number().optional() }).nullish(),
  consumer_detail: z.array(consumerInfoSchema).nullish(),
});

const accountDetailSchema = z.object({
  name: replyName,
  id: replyName.optional(),
  stream_detail: z.array(streamDetailSchema).nullish(),
});

/** `MetaClusterInfo`: `pending` from 2.10.21; `replicas` only on the server that thinks it leads. */
const metaClusterSchema = z.object({
  name: replyName.optional(),
  leader: replyName.optional(),
  peer: replyName.optional(),
  cluster_size: z.number().max(MAX_CLUSTER_SIZE, { error: `above ${MAX_CLUSTER_SIZE}`, abort: true }).int().min(0).optional(),
  replicas: z.array(peerInfoSchema).nullish(),
  pending: z.number().optional(),
});
type RawMeta = z.infer<typeof metaClusterSchema>;

const jsInfoSchema = z.object({
  disabled: z.boolean().optional(),
  /**
   * Only its presence matters; a disabled 2.9.10 server still sends a zeroed `config`.
   * (`z.unknown()` alone is a required key in zod 4.)
   */
  config: z.unknown().optional(),
  meta_cluster: metaClusterSchema.nullish(),
  /** 2.11.11+ / 2.12.1+ with `raft: true`, `omitempty`. */
  streams_leader: leaderCount.optional(),
  consumers_leader: leaderCount.optional(),
  account_details: z.array(accountDetailSchema).nullish(),
});
type RawJsInfo = z.infer<typeof jsInfoSchema>;

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
      }));
      streams.push({
        account: account.name,
        accountId: account.id,
        name: stream.name,
        cluster: toCluster(stream.cluster),
        configuredReplicas: stream.config?.num_replicas,
        consumers,
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
    streams,
  };
}

/** Validates JSZ `data` and maps it to {@link JszData}. */
export const jszDataSchema: z.ZodType<JszData, unknown> = jsInfoSchema.transform(toJszData);
