import type { ClusterInfo, JetStreamManager, NatsConnection } from 'nats';
import * as z from 'zod';
import { pollUntil } from '../util/poll.js';

/** JetStream API timeout: short, since callers poll and retry. */
export const API_TIMEOUT_MS = 2_000;

/**
 * How long a group may go without any leader: followers that lost theirs
 * wait out an election timeout of up to 9 s before choosing.
 */
export const LEADER_TIMEOUT_MS = 12_000;

/**
 * How long to wait for a different leader after a step-down. 2.9 hands
 * leadership straight to a current follower and shows it within ~0.4 s;
 * when no follower is current it only steps down, and the election that
 * follows may pick the old leader again, so after this long the group is
 * simply stepped down once more.
 */
export const HAND_OFF_TIMEOUT_MS = 3_000;

/** A stream or consumer Raft group to ask about and step down, in the account of the connection used. */
export interface Group {
  /** `stream` or `stream/consumer`: the key in leader maps. */
  readonly key: string;
  readonly label: string;
  readonly stepDownSubject: string;
  cluster(): Promise<ClusterInfo | undefined>;
}

export function streamGroup(jsm: JetStreamManager, stream: string): Group {
  return {
    key: stream,
    label: `stream ${stream}`,
    stepDownSubject: `$JS.API.STREAM.LEADER.STEPDOWN.${stream}`,
    cluster: async () => (await jsm.streams.info(stream)).cluster,
  };
}

export function consumerGroup(jsm: JetStreamManager, stream: string, consumer: string): Group {
  return {
    key: `${stream}/${consumer}`,
    label: `consumer ${stream}/${consumer}`,
    stepDownSubject: `$JS.API.CONSUMER.LEADER.STEPDOWN.${stream}.${consumer}`,
    cluster: async () => (await jsm.consumers.info(stream, consumer)).cluster,
  };
}

/**
 * Every consumer of the given streams, as groups. A stream lists its
 * consumers through its leader, so the request goes unanswered while the
 * stream elects one (just created, or just after a heal): each stream is
 * asked until it answers, up to {@link LEADER_TIMEOUT_MS}.
 */
export async function consumerGroupsOf(jsm: JetStreamManager, streams: readonly string[]): Promise<Group[]> {
  const groups: Group[] = [];
  for (const stream of streams) {
    let lastError: unknown;
    const names = await pollUntil(
      async () => {
        try {
          return (await jsm.consumers.list(stream).next()).map((info) => info.name);
        } catch (error) {
          lastError = error;
          return undefined;
        }
      },
      { timeoutMs: LEADER_TIMEOUT_MS, intervalMs: 100 },
    );
    if (names === undefined) throw new Error(`${stream} did not list its consumers within ${LEADER_TIMEOUT_MS} ms`, { cause: lastError });
    for (const name of names) groups.push(consumerGroup(jsm, stream, name));
  }
  return groups;
}

/** The group's leader, or undefined while it has none (info requests go unanswered mid-election). */
export async function currentLeader(group: Group): Promise<string | undefined> {
  try {
    return (await group.cluster())?.leader || undefined;
  } catch {
    return undefined;
  }
}

/** Poll until the group reports a leader (other than `not`, when given); undefined on timeout. */
export function waitForLeader(group: Group, timeoutMs: number, not?: string): Promise<string | undefined> {
  return pollUntil(
    async () => {
      const leader = await currentLeader(group);
      return leader !== undefined && leader !== not ? leader : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

const StepDownReply = z.object({
  success: z.boolean().optional(),
  error: z.object({ code: z.number(), err_code: z.number().optional(), description: z.string().optional() }).optional(),
});

/** `err_code` of "JetStream system temporarily unavailable": the meta or the group has no leader right now. */
export const CLUSTER_NOT_AVAILABLE = 10008;

export class StepDownError extends Error {
  override readonly name = 'StepDownError';
  constructor(
    readonly subject: string,
    readonly errCode: number | undefined,
    description: string,
  ) {
    super(`${subject} failed: ${description}`);
  }
}

/**
 * Send a leader step-down request and throw StepDownError unless it reports
 * success. `preferred` names the next leader; only servers from 2.11.0 honour
 * it (2.9 answers 10005 on the meta group), so callers pass it only then.
 */
export async function stepDown(nc: NatsConnection, subject: string, preferred?: string): Promise<void> {
  const body = preferred === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify({ placement: { preferred } }));
  const reply = await nc.request(subject, body, { timeout: API_TIMEOUT_MS });
  const parsed = StepDownReply.parse(JSON.parse(new TextDecoder().decode(reply.data)));
  if (parsed.error || parsed.success !== true) {
    const e = parsed.error;
    throw new StepDownError(subject, e?.err_code, e ? `${e.code}/${e.err_code ?? '?'} ${e.description ?? ''}` : 'no success flag');
  }
}
