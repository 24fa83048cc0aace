import type { Observation, RaftGroup } from '../observation/types.js';
import type { PeerView } from '../replies/types.js';
import { Arrangement } from './arrangement.js';
import { compareGroups } from '../domain/group-key.js';
import { leaderMovability } from '../observation/leader-movability.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import { balance } from './balance.js';
import { CONSUMER, STREAM, type Family, type GroupClass, type Item, type Kind } from './model.js';
import {
  UnmovableReason,
  type ClusterPlan,
  type LeaderCounts,
  type Move,
  type RebalanceOptions,
  type RebalancePlan,
  type UnmovableGroup,
} from './types.js';
import { appendTo } from '../util/group-by.js';
import { compareText } from '../util/compare-text.js';

/**
 * Plans, per cluster, which stream and consumer leaders to step down and to
 * which server, from one observation. Pure: no NATS I/O.
 *
 * Counted groups are the replicated ones with a known leader (as the
 * uneven_leader_distribution check counts them). A counted group may move
 * only to a replica its leader reports healthy (online, in step: see
 * domain/replica-health.ts, shared with the gate, the executor and the
 * check; or as `options.canLead` judges) and that answered this epoch as a
 * JetStream server of the cluster; one with no such replica, or whose view
 * did not come from its leader, still counts where it is but stays there
 * (observation/leader-movability.ts, the check's rule too). R1 groups
 * and groups without a known leader are neither counted nor moved. Each of
 * these is listed in `unmovable` with its reason.
 *
 * Objective, lexicographic (see balance.ts): lowest maximum of total leaders
 * per server, then of stream leaders, then of consumer leaders, then the
 * other servers' totals from the highest down (even-out.ts: a peak that
 * cannot come down does not stop the rest from being evened out), then
 * fewest moves. Tie-break among arrangements equal on all of these: avoid a
 * stream being led by the same server as all of its consumers (see
 * Arrangement).
 */
export function planRebalance(observation: Observation, options: RebalanceOptions = {}): RebalancePlan {
  const serversByCluster = new Map<string, string[]>();
  for (const s of observation.servers) if (s.jetstream) appendTo(serversByCluster, s.cluster ?? '', s.name);
  const groupsByCluster = new Map<string, RaftGroup[]>();
  for (const g of observation.groups) appendTo(groupsByCluster, g.cluster ?? '', g);

  const clusters = [...new Set([...serversByCluster.keys(), ...groupsByCluster.keys()])]
    .filter((c) => options.cluster === undefined || c === options.cluster)
    .sort(compareText);
  return {
    clusters: clusters.map((c) =>
      planCluster(c, serversByCluster.get(c) ?? [], groupsByCluster.get(c) ?? [], options.canLead ?? isHealthyReplica),
    ),
  };
}

interface Counted {
  readonly group: RaftGroup;
  readonly leader: string;
  /** Servers it may move to; empty when it must stay. */
  readonly targets: readonly string[];
}

function planCluster(
  cluster: string,
  answering: readonly string[],
  groups: readonly RaftGroup[],
  canLead: (replica: PeerView) => boolean,
): ClusterPlan {
  const answeringSet = new Set(answering);
  const unmovable: UnmovableGroup[] = [];
  const counted: Counted[] = [];
  for (const group of [...groups].sort(compareGroups)) {
    const { reason, targets } = leaderMovability(group, answeringSet, canLead);
    if (reason) unmovable.push({ ...identity(group), ...(group.leader === undefined ? {} : { leader: group.leader }), reason });
    if (group.leader !== undefined && reason !== UnmovableReason.singleReplica) {
      counted.push({ group, leader: group.leader, targets });
    }
  }

  // A leader that did not answer still carries its groups' load; it cannot
  // receive any (targets are answering servers only).
  const names = [...new Set([...answering, ...counted.map((c) => c.leader)])].sort(compareText);
  const index = new Map(names.map((name, i) => [name, i]));
  const { items, classes, families } = model(counted, index);

  const solution = balance(names.length, classes);
  const arrangement = new Arrangement(names.length, items, families, place(items, classes, families, solution.placed));
  arrangement.separateFamilies(solution.caps);

  const before = countAt(names.length, items, (item) => item.leader);
  const after = countAt(names.length, items, (item, i) => arrangement.serverOf[i]!);
  const pending: { item: Item; to: number }[] = [];
  items.forEach((item, i) => {
    const to = arrangement.serverOf[i]!;
    if (to !== item.leader) pending.push({ item, to });
  });
  const moves = orderMoves(pending, before.map((c) => c.total), names.length).map(({ item, to }) =>
    moveOf(item.group, names[item.leader]!, names[to]!),
  );

  const max = (counts: readonly LeaderCounts[]) => counts.reduce((m, c) => Math.max(m, c.total), 0);
  return {
    cluster,
    servers: names.map((name, i) => ({ name, before: before[i]!, after: after[i]! })),
    moves,
    unmovable,
    maxBefore: max(before),
    maxAfter: max(after),
    average: names.length === 0 ? 0 : items.length / names.length,
  };
}

/**
 * Items, classes of interchangeable items and families. `counted` is in
 * group-key order, so a stream and its consumers are adjacent.
 */
function model(
  counted: readonly Counted[],
  index: ReadonlyMap<string, number>,
): { items: Item[]; classes: GroupClass[]; families: Family[] } {
  const familyOf = new Int32Array(counted.length).fill(-1);
  const families: Family[] = [];
  for (let start = 0, end = 0; start < counted.length; start = end) {
    const { account, stream } = counted[start]!.group;
    while (end < counted.length && counted[end]!.group.account === account && counted[end]!.group.stream === stream) end++;
    const hasStream = counted[start]!.group.kind === 'stream'; // the stream sorts first
    if (!hasStream || end - start < 2) continue;
    const members: number[] = [];
    for (let i = start; i < end; i++) {
      familyOf[i] = families.length;
      members.push(i);
    }
    families.push({ items: members });
  }

  const classes: GroupClass[] = [];
  const classIds = new Map<number | string, number>();
  const items = counted.map((c, i): Item => {
    const kind = c.group.kind === 'stream' ? STREAM : CONSUMER;
    const leader = index.get(c.leader)!;
    const allowed = [leader];
    for (const t of c.targets) allowed.push(index.get(t)!);
    allowed.sort((a, b) => a - b);
    const key = classKey(kind, leader, allowed, index.size);
    let id = classIds.get(key);
    if (id === undefined) {
      id = classes.length;
      classIds.set(key, id);
      classes.push({ kind, leader, allowed, items: [] });
    }
    const groupClass = classes[id]!;
    groupClass.items.push(i);
    // Members share their class's array: one per class, not per group.
    return { group: c.group, kind, leader, allowed: groupClass.allowed, family: familyOf[i]! };
  });
  return { items, classes, families };
}

/**
 * Identifies a class. A number while one fits exactly, else text: numbers
 * hash much faster, and a few-server cluster always fits. The digits, in base
 * serverCount + 2, are kind + 1, leader + 1 and each allowed server + 1: none
 * is zero, so different classes never share a number.
 */
function classKey(kind: Kind, leader: number, allowed: readonly number[], serverCount: number): number | string {
  const base = serverCount + 2;
  if (base ** (allowed.length + 2) > Number.MAX_SAFE_INTEGER) return `${kind}|${leader}|${allowed.join(',')}`;
  let key = (kind + 1) * base + leader + 1;
  for (const u of allowed) key = key * base + u + 1;
  return key;
}

/**
 * Turns per-class counts into a server per item. Which members of a class
 * move is free (they are interchangeable for the counts); members of families
 * all led by one server today go first, which splits most of them up before
 * the tie-break has to.
 */
function place(
  items: readonly Item[],
  classes: readonly GroupClass[],
  families: readonly Family[],
  placed: readonly (readonly number[])[],
): Int32Array {
  const together = families.map((f) => f.items.every((i) => items[i]!.leader === items[f.items[0]!]!.leader));
  const server = new Int32Array(items.length);
  classes.forEach((c, id) => {
    const order = [...c.items.filter((i) => firstToMove(i)), ...c.items.filter((i) => !firstToMove(i))];
    const counts = placed[id]!;
    let next = 0;
    c.allowed.forEach((u, j) => {
      if (u === c.leader) return;
      for (let n = 0; n < counts[j]!; n++) server[order[next++]!] = u;
    });
    while (next < order.length) server[order[next++]!] = c.leader;
  });
  return server;

  function firstToMove(i: number): boolean {
    const f = items[i]!.family;
    return f >= 0 && together[f]!;
  }
}

/**
 * The order to carry moves out in: each next move leaves the most loaded
 * server that still has one, for the least loaded of its targets. A run
 * stopped part way (a cap per run, a failed gate) has then taken load off the
 * hottest servers first.
 */
function orderMoves<T extends { item: Item; to: number }>(pending: readonly T[], loadBefore: readonly number[], serverCount: number): T[] {
  const load = [...loadBefore];
  const queues = Array.from({ length: serverCount }, () => Array.from({ length: serverCount }, (): T[] => []));
  const left = new Array<number>(serverCount).fill(0);
  for (const p of pending) {
    queues[p.item.leader]![p.to]!.push(p);
    left[p.item.leader]!++;
  }
  const heads = queues.map((row) => row.map(() => 0));
  const ordered: T[] = [];
  while (ordered.length < pending.length) {
    let from = -1;
    for (let u = 0; u < serverCount; u++) if (left[u]! > 0 && (from < 0 || load[u]! > load[from]!)) from = u;
    let to = -1;
    for (let v = 0; v < serverCount; v++) {
      if (heads[from]![v]! < queues[from]![v]!.length && (to < 0 || load[v]! < load[to]!)) to = v;
    }
    ordered.push(queues[from]![to]![heads[from]![to]!++]!);
    left[from]!--;
    load[from]!--;
    load[to]!++;
  }
  return ordered;
}

function countAt(serverCount: number, items: readonly Item[], serverOf: (item: Item, i: number) => number): LeaderCounts[] {
  const streams = new Array<number>(serverCount).fill(0);
  const consumers = new Array<number>(serverCount).fill(0);
  items.forEach((item, i) => {
    const u = serverOf(item, i);
    if (item.kind === STREAM) streams[u]!++;
    else consumers[u]!++;
  });
  return streams.map((s, u) => ({ streams: s, consumers: consumers[u]!, total: s + consumers[u]! }));
}

function moveOf(group: RaftGroup, from: string, to: string): Move {
  return { ...identity(group), from, to };
}

function identity(group: RaftGroup): Pick<Move, 'kind' | 'account' | 'accountId' | 'stream' | 'consumer'> {
  const { kind, account, accountId, stream, consumer } = group;
  return {
    kind,
    account,
    ...(accountId === undefined ? {} : { accountId }),
    stream,
    ...(consumer === undefined ? {} : { consumer }),
  };
}

