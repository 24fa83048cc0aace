import type { NatsConnection } from 'nats';
import * as z from 'zod';
import { askOwnServer } from './own-server-request.js';

const RoutezReply = z.object({
  data: z
    .object({
      routes: z
        .array(
          z.object({
            remote_id: z.string(),
            did_solicit: z.boolean().optional(),
            port: z.number().optional(),
            account: z.string().optional(),
          }),
        )
        .nullish(),
    })
    .optional(),
  error: z.object({ code: z.number().optional(), description: z.string().optional() }).optional(),
});

/** One route as the server holding it reports it in ROUTEZ. */
export interface RouteView {
  /** The peer's server id; map it to a name with the cluster's current ids. */
  readonly remoteId: string;
  /** This server dialled the route (it is in its config). */
  readonly didSolicit: boolean;
  /** Peer port of the TCP connection: a proxy port when solicited, the proxy's outbound port otherwise. */
  readonly port: number;
  /** The account this route is dedicated to (2.10+ pins the system account), absent for a pooled or 2.9 route. */
  readonly account?: string;
}

const VarzReply = z.object({
  data: z.object({ cluster: z.object({ pool_size: z.number().optional() }).optional() }).optional(),
});

/** The routes of the server `systemConnection` is on, from its own ROUTEZ. */
export async function routesOf(systemConnection: NatsConnection): Promise<RouteView[]> {
  const parsed = await askOwnServer(systemConnection, 'ROUTEZ', RoutezReply);
  if (parsed.error) throw new Error(`ROUTEZ failed: ${parsed.error.code ?? '?'} ${parsed.error.description ?? ''}`);
  return (parsed.data?.routes ?? []).map((r) => ({
    remoteId: r.remote_id,
    didSolicit: r.did_solicit ?? false,
    port: r.port ?? 0,
    ...(r.account === undefined ? {} : { account: r.account }),
  }));
}

/**
 * How many unpinned routes the server `systemConnection` is on keeps to each
 * peer. From 2.10 VARZ reports the pool size (-1 turns pooling off); before,
 * there is no pool and a pair shares one route.
 */
export async function routePoolSizeOf(systemConnection: NatsConnection): Promise<number> {
  const parsed = await askOwnServer(systemConnection, 'VARZ', VarzReply);
  return Math.max(1, parsed.data?.cluster?.pool_size ?? 1);
}
