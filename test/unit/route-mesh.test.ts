import { describe, expect, it } from 'vitest';
import { missingRoutes, pinnedAccountsOf, type RoutedServer } from '../../lib/local-cluster/route-mesh.js';

const pooled = (peer: string, n: number) => Array.from({ length: n }, () => ({ peer }));
const pinned = (peer: string, account: string) => ({ peer, account });

describe('route mesh completeness', () => {
  it('passes a 2.9 pair with its one unpooled route', () => {
    const servers: RoutedServer[] = [
      { name: 'n1', expectedPeers: ['n2'], poolSize: 1, routes: pooled('n2', 1) },
      { name: 'n2', expectedPeers: ['n1'], poolSize: 1, routes: pooled('n1', 1) },
    ];
    expect(missingRoutes(servers, pinnedAccountsOf(servers))).toEqual([]);
  });

  it('holds a pooled pair until its whole pool is up, as seen by 2.15.1 just after start', () => {
    // n1 already had its SYS route to n2 but only one of three pooled routes.
    const servers: RoutedServer[] = [
      { name: 'n1', expectedPeers: ['n2', 'n3'], poolSize: 3, routes: [...pooled('n2', 1), pinned('n2', 'SYS'), ...pooled('n3', 3), pinned('n3', 'SYS')] },
    ];
    expect(missingRoutes(servers, pinnedAccountsOf(servers))).toEqual(['n1-n2 (1 of 3 pooled)']);
  });

  it('holds a pair that lacks a pinned route another pair has', () => {
    const servers: RoutedServer[] = [
      { name: 'n1', expectedPeers: ['n2', 'n3'], poolSize: 3, routes: [...pooled('n2', 3), ...pooled('n3', 3), pinned('n3', 'SYS')] },
    ];
    expect(missingRoutes(servers, pinnedAccountsOf(servers))).toEqual(['n1-n2 (SYS pinned)']);
  });

  it('remembers pinned accounts from earlier polls, so a poll where none has come up yet does not pass', () => {
    const servers: RoutedServer[] = [{ name: 'n1', expectedPeers: ['n2'], poolSize: 3, routes: pooled('n2', 3) }];
    expect(missingRoutes(servers, new Set(['SYS']))).toEqual(['n1-n2 (SYS pinned)']);
  });

  it('names a peer with no route at all, and ignores routes to peers not expected (cut links)', () => {
    const servers: RoutedServer[] = [{ name: 'n1', expectedPeers: ['n2'], poolSize: 3, routes: pooled('n3', 3) }];
    expect(missingRoutes(servers, pinnedAccountsOf(servers))).toEqual(['n1-n2 (0 of 3 pooled)']);
  });
});
