import type { NatsConnection } from 'nats';
import * as z from 'zod';
import { askOwnServer } from './own-server-request.js';

// Only what the harness needs from a JSZ reply; the auditor's own parsers
// live in lib/replies.
const JszReply = z.object({
  server: z.object({ name: z.string(), id: z.string() }),
  data: z
    .object({
      now: z.string().optional(),
      meta_cluster: z
        .object({
          leader: z.string().optional(),
          cluster_size: z.number().optional(),
          replicas: z
            .array(
              z.object({
                name: z.string(),
                current: z.boolean().optional(),
                offline: z.boolean().optional(),
                active: z.number().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    })
    .optional(),
  error: z.object({ code: z.number().optional(), description: z.string().optional() }).optional(),
});

/** A meta peer as the server that believes it leads sees it. */
export interface MetaPeer {
  readonly name: string;
  readonly current: boolean;
  readonly offline: boolean;
  /** Milliseconds since the leader last heard from this peer. */
  readonly activeMs: number;
  /**
   * When the leader last heard from this peer (epoch ms, the leader's clock:
   * its reply's `now` less `activeMs`); undefined when the reply has no `now`.
   * A restarted peer's entry still holds the old process's last message
   * until the new process is heard, so only this tells the two apart.
   */
  readonly heardAt?: number;
}

export interface MetaView {
  /** The meta leader this server believes in; undefined when it knows none. */
  readonly leader?: string;
  /** How many servers this server counts in the meta group (`cluster_size`); undefined when not reported. */
  readonly clusterSize?: number;
  /** Filled only when this server believes it is the leader. */
  readonly peers: readonly MetaPeer[];
}

const NS_PER_MS = 1_000_000;

/**
 * The meta group as one server sees it, asked over a system-account
 * connection to that same server, so the answer is its own even when it is
 * partitioned from the rest.
 */
export async function metaViewOf(systemConnection: NatsConnection): Promise<MetaView> {
  const parsed = await askOwnServer(systemConnection, 'JSZ', JszReply);
  if (parsed.error) {
    throw new Error(`JSZ from ${parsed.server.name} failed: ${parsed.error.code ?? '?'} ${parsed.error.description ?? ''}`);
  }
  const meta = parsed.data?.meta_cluster;
  const now = parsed.data?.now === undefined ? Number.NaN : Date.parse(parsed.data.now);
  return {
    // 2.9 reports "" rather than omitting the field while there is no leader.
    ...(meta?.leader ? { leader: meta.leader } : {}),
    ...(meta?.cluster_size === undefined ? {} : { clusterSize: meta.cluster_size }),
    peers: (meta?.replicas ?? []).map((r) => {
      const activeMs = (r.active ?? 0) / NS_PER_MS;
      return {
        name: r.name,
        current: r.current ?? false,
        offline: r.offline ?? false,
        activeMs,
        ...(Number.isNaN(now) ? {} : { heardAt: now - activeMs }),
      };
    }),
  };
}
