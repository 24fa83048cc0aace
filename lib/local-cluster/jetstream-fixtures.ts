import { AckPolicy, ErrorCode, NatsError, StorageType, type NatsConnection } from 'nats';
import { forEachConcurrently } from '../util/concurrency.js';
import { pollUntil } from '../util/poll.js';
import { API_TIMEOUT_MS, CLUSTER_NOT_AVAILABLE, consumerGroupsOf, stepDown, streamGroup, waitForLeader, type Group } from '../jetstream/raft-groups.js';

/**
 * Streams created at once. Each create waits for its new Raft group to elect
 * a leader (~0.5 s on 2.9), so one at a time is slow for the demo's dozens;
 * more at once only queue behind the single meta leader.
 */
const CREATE_CONCURRENCY = 8;
/** How long a group may take to report a leader before the leader maps give up on it. */
const LEADER_TIMEOUT_MS = 12_000;
/**
 * How long one create may go unanswered before the fixture gives up: past the
 * longest meta election (9 s, server/raft.go) twice over, for an election
 * that follows a heal and the one its loser may start.
 */
const CREATE_TIMEOUT_MS = 30_000;

export interface ReplicatedStreamsOptions {
  readonly count: number;
  /** @default 3 */
  readonly replicas?: number;
  /** Durable pull consumers C1..Ck per stream; @default 1 */
  readonly consumersPerStream?: number;
  /** Streams are `${prefix}_1..${prefix}_count`, each on subjects `${prefix}_i.>`; @default 'ORDERS' */
  readonly prefix?: string;
}

/**
 * Create file-backed replicated streams with durable pull consumers and
 * return their names. Needs an APP-account connection, and a settled cluster
 * (`waitForMetaLeader`) or 2.9 may refuse to place replicas.
 */
export async function createReplicatedStreams(nc: NatsConnection, opts: ReplicatedStreamsOptions): Promise<string[]> {
  const { count, replicas = 3, consumersPerStream = 1, prefix = 'ORDERS' } = opts;
  const jsm = await nc.jetstreamManager();
  const names = Array.from({ length: count }, (_, i) => `${prefix}_${i + 1}`);
  await forEachConcurrently(names, CREATE_CONCURRENCY, async (name) => {
    await untilAnswered(`stream ${name}`, () => jsm.streams.add({ name, subjects: [`${name}.>`], storage: StorageType.File, num_replicas: replicas }));
    for (let k = 1; k <= consumersPerStream; k++) {
      await untilAnswered(`consumer ${name}/C${k}`, () => jsm.consumers.add(name, { durable_name: `C${k}`, ack_policy: AckPolicy.Explicit }));
    }
  });
  return names;
}

/**
 * True for the ways a JetStream API request fails while the meta group
 * changes leader: no answer (the old leader took the proposal and lost it
 * in the election), no responder, or "temporarily unavailable".
 */
export function isElectionGap(error: unknown): boolean {
  if (!(error instanceof NatsError)) return false;
  if (error.code === ErrorCode.Timeout || error.code === ErrorCode.NoResponders) return true;
  return error.api_error?.err_code === CLUSTER_NOT_AVAILABLE;
}

/**
 * Sends a create until it is answered. A create whose first attempt did land
 * is answered the second time with the same config, so asking again is safe;
 * any other error is the caller's.
 */
async function untilAnswered(what: string, create: () => Promise<unknown>): Promise<void> {
  let lastError: unknown;
  const answered = await pollUntil(
    async () => {
      try {
        await create();
        return true;
      } catch (error) {
        if (!isElectionGap(error)) throw error;
        lastError = error;
        return undefined;
      }
    },
    { timeoutMs: CREATE_TIMEOUT_MS, intervalMs: 250 },
  );
  if (answered === undefined) throw new Error(`${what} was not created within ${CREATE_TIMEOUT_MS} ms`, { cause: lastError });
}

async function leadersOf(groups: readonly Group[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const group of groups) {
    const leader = await waitForLeader(group, LEADER_TIMEOUT_MS);
    if (leader === undefined) throw new Error(`${group.label} has no leader after ${LEADER_TIMEOUT_MS} ms`);
    out[group.key] = leader;
  }
  return out;
}

/** Stream name -> server leading it, from stream info. */
export async function streamLeaders(nc: NatsConnection, streams: readonly string[]): Promise<Record<string, string>> {
  const jsm = await nc.jetstreamManager({ timeout: API_TIMEOUT_MS });
  return leadersOf(streams.map((s) => streamGroup(jsm, s)));
}

/** `stream/consumer` -> server leading that consumer, for every consumer of the given streams. */
export async function consumerLeaders(nc: NatsConnection, streams: readonly string[]): Promise<Record<string, string>> {
  const jsm = await nc.jetstreamManager({ timeout: API_TIMEOUT_MS });
  return leadersOf(await consumerGroupsOf(jsm, streams));
}

/** Ask the meta leader to step down (`$JS.API.META.LEADER.STEPDOWN`); needs a system-account connection from 2.10.21. */
export async function metaStepDown(systemConnection: NatsConnection): Promise<void> {
  await stepDown(systemConnection, '$JS.API.META.LEADER.STEPDOWN');
}
