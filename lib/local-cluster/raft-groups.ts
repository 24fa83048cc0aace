import type { ClusterInfo, JetStreamManager, NatsConnection } from 'nats';
import { z } from 'zod';
import { pollUntil } from './wait.js';

/** JetStream API timeout for the fixtures: short, since they poll. */
export const API_TIMEOUT_MS = 2_000;

/** A stream or consumer Raft group the fixtures can ask about and step down. */
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

/** Every consumer of the given streams, as groups. */
export async function consumerGroupsOf(jsm: JetStreamManager, streams: readonly string[]): Promise<Group[]> {
  const groups: Group[] = [];
  for (const stream of streams) {
    for (const info of await jsm.consumers.list(stream).next()) groups.push(consumerGroup(jsm, stream, info.name));
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

/** Send a leader step-down request and throw StepDownError unless it reports success. */
export async function stepDown(nc: NatsConnection, subject: string): Promise<void> {
  const reply = await nc.request(subject, new Uint8Array(), { timeout: API_TIMEOUT_MS });
  const parsed = StepDownReply.parse(JSON.parse(new TextDecoder().decode(reply.data)));
  if (parsed.error || parsed.success !== true) {
    const e = parsed.error;
    throw new StepDownError(subject, e?.err_code, e ? `${e.code}/${e.err_code ?? '?'} ${e.description ?? ''}` : 'no success flag');
  }
}
