/**
 * When is a pair of servers fully routed? Before 2.10 one route carries
 * everything. From 2.10 the pair keeps a pool of routes that accounts are
 * hashed onto, plus one route per pinned account (the system account's by
 * default), and these come up one by one. Until the last is up, traffic of
 * the accounts hashed onto a missing one does not cross the pair: a system
 * PING from one server misses another's reply while ROUTEZ already lists
 * the peer. So a pair counts as routed only with its whole pool and every
 * pinned route any server in the cluster has shown.
 */

/** One server's routes, as its ROUTEZ and VARZ describe them. */
export interface RoutedServer {
  readonly name: string;
  /** Peers it should be routed to (running, link not cut). */
  readonly expectedPeers: readonly string[];
  /** Its unpinned routes per peer (1 when the server has no pool). */
  readonly poolSize: number;
  readonly routes: readonly { readonly peer: string | undefined; readonly account?: string }[];
}

/** The accounts with dedicated routes anywhere in `servers`. */
export function pinnedAccountsOf(servers: readonly RoutedServer[]): Set<string> {
  return new Set(servers.flatMap((s) => s.routes.flatMap((r) => (r.account === undefined ? [] : [r.account]))));
}

/** Each incomplete pair as `server-peer (what is missing)`, empty when the mesh is whole. */
export function missingRoutes(servers: readonly RoutedServer[], pinnedAccounts: ReadonlySet<string>): string[] {
  return servers.flatMap((server) =>
    server.expectedPeers.flatMap((peer) => {
      const toPeer = server.routes.filter((r) => r.peer === peer);
      const pooled = toPeer.filter((r) => r.account === undefined).length;
      const pinned = new Set(toPeer.flatMap((r) => (r.account === undefined ? [] : [r.account])));
      const lacking = [
        ...(pooled < server.poolSize ? [`${pooled} of ${server.poolSize} pooled`] : []),
        ...[...pinnedAccounts].filter((a) => !pinned.has(a)).map((a) => `${a} pinned`),
      ];
      return lacking.length === 0 ? [] : [`${server.name}-${peer} (${lacking.join(', ')})`];
    }),
  );
}
