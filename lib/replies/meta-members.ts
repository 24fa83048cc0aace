/** What `metaMembers` needs of a meta group view (a `MetaClusterView` fits). */
export interface MetaMembership {
  readonly clusterSize?: number | undefined;
  readonly leader?: string | undefined;
  /** Present only in the reply of the server that believes it leads. */
  readonly replicas?: readonly { readonly name: string }[] | undefined;
}

/**
 * How many servers one server's view says the meta group has: the larger of
 * its `cluster_size` and, from the server that believes it leads, the peers
 * it lists plus itself. `cluster_size` alone undercounts: on 2.9.10 a
 * follower whose peer set the first leader replaced before adding it leaves
 * itself out of its known peers and reports 2 in a 3-server cluster; elected
 * later, it keeps 2 for good and every server reports 2 (seen on real
 * clusters whose leader was isolated within a second of its election). The
 * leader still lists every peer it tracks, offline ones included.
 */
export function metaMembers(view: MetaMembership): number {
  const size = view.clusterSize ?? 0;
  if (view.replicas === undefined) return size;
  const listed = new Set(view.replicas.map((p) => p.name).filter((name) => name !== ''));
  if (view.leader !== undefined && view.leader !== '') listed.add(view.leader);
  return Math.max(size, listed.size);
}
