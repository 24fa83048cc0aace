import type { ClusterInfo, NatsConnection } from 'nats';
import { stepDownNamesLeader } from '../jetstream/api-level.js';
import { forEachConcurrently } from '../util/concurrency.js';
import { pollUntil } from '../util/poll.js';
import {
  API_TIMEOUT_MS,
  CLUSTER_NOT_AVAILABLE,
  consumerGroupsOf,
  HAND_OFF_TIMEOUT_MS,
  LEADER_TIMEOUT_MS,
  stepDown,
  StepDownError,
  streamGroup,
  waitForLeader,
  type Group,
} from '../jetstream/raft-groups.js';

/** Without `placement.preferred` a step-down of an R3 group lands on the wanted peer about half the time; 2^-25 is "never". */
const MAX_STEP_DOWNS_PER_GROUP = 25;
/** Groups moved at once: each is its own Raft group, so their elections do not interfere. */
const CONCENTRATE_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 120_000;

export interface ConcentrateOptions {
  /** Server that should end up leading every group. */
  readonly onto: string;
  readonly streams: readonly string[];
  /** Also move every consumer of those streams; @default false */
  readonly consumers?: boolean;
  /** @default 120000 */
  readonly timeoutMs?: number;
  /**
   * Name `onto` in each step-down (`placement.preferred`); the servers must
   * honour it (JetStream API level 1, 2.11+). @default detected from the server `nc` is on
   */
  readonly preferred?: boolean;
}

async function assertCanLead(group: Group, onto: string): Promise<void> {
  const info = await group.cluster();
  const members = [info?.leader, ...(info?.replicas ?? []).map((r) => r.name)].filter((m): m is string => !!m);
  if (!members.includes(onto)) {
    throw new Error(`${group.label} cannot be led by ${onto}: its peers are ${members.join(', ')}`);
  }
}

/** Step `group` down until `onto` leads it; returns the step-downs sent. */
async function moveLeader(nc: NatsConnection, group: Group, onto: string, preferred: boolean, deadline: number): Promise<number> {
  let stepDowns = 0;
  let checkedMembership = false;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`leaders not concentrated on ${onto} in time: ${group.label} is still led elsewhere`);
    const leader = await waitForLeader(group, Math.min(left, LEADER_TIMEOUT_MS));
    if (leader === onto) return stepDowns;
    if (leader === undefined) continue;
    if (!checkedMembership) {
      await assertCanLead(group, onto);
      checkedMembership = true;
    }
    if (stepDowns >= MAX_STEP_DOWNS_PER_GROUP) throw new Error(`${group.label} still led by ${leader} after ${stepDowns} step-downs`);
    try {
      await stepDown(nc, group.stepDownSubject, preferred ? onto : undefined);
    } catch (err) {
      // Every replica answers a step-down request; one that has not yet
      // heard of the current leader says "temporarily unavailable" and may
      // win the race to reply. A preferred server still catching up is
      // refused too. The group is re-read before trying again.
      if (!(err instanceof StepDownError && (err.errCode === CLUSTER_NOT_AVAILABLE || preferred))) throw err;
    }
    stepDowns++;
    // The next decision only after the election settled, or the step-down
    // would hit a group that is still choosing.
    await waitForLeader(group, Math.min(Math.max(deadline - Date.now(), 0), HAND_OFF_TIMEOUT_MS), leader);
  }
}

/**
 * Move leadership of the given streams (and their consumers) onto one
 * server by step-downs. Servers that honour `placement.preferred` are told
 * the next leader; older ones cannot be, so each group led elsewhere is
 * stepped down again until the election lands on `onto`. Needs a
 * connection in the account owning the streams: step-downs act in the
 * requester's account. Resolves only once every group, read again after
 * all step-downs were answered, is led by `onto` (`strayed` counts the
 * groups that had to be moved back).
 */
export async function concentrateLeaders(nc: NatsConnection, opts: ConcentrateOptions): Promise<{ stepDowns: number; preferred: boolean; strayed: number }> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const preferred = opts.preferred ?? (await stepDownNamesLeader(nc));
  const jsm = await nc.jetstreamManager({ timeout: API_TIMEOUT_MS });
  const groups = opts.streams.map((s) => streamGroup(jsm, s));
  if (opts.consumers) groups.push(...(await consumerGroupsOf(jsm, opts.streams)));
  let stepDowns = 0;
  let strayed = 0;
  for (let pending = groups; pending.length > 0; ) {
    await forEachConcurrently(pending, CONCENTRATE_CONCURRENCY, async (group) => {
      const sent = await moveLeader(nc, group, opts.onto, preferred, deadline);
      stepDowns += sent;
    });
    // Seen on 2.10.27 without placement.preferred: one or two groups of 60,
    // each seen led by `onto`, were led elsewhere once the others had been
    // moved (and stayed there), so a group's own check is not the end state.
    pending = await unsettled(groups, opts.onto, deadline);
    strayed += pending.length;
    if (pending.length > 0 && Date.now() >= deadline) {
      throw new Error(`leaders not settled on ${opts.onto} in time: ${pending.map((g) => g.label).join(', ')}`);
    }
  }
  return { stepDowns, preferred, strayed };
}

/**
 * The groups not yet settled on `onto`: led elsewhere, without a leader,
 * or led by `onto` but with a replica that has not answered it since it was
 * first seen leading. A follower that answered the new leader follows its
 * term, so no election of its own is pending; one that has not may still
 * be campaigning. Seen on 2.10.27 without placement.preferred: a stream
 * seen led by `onto` (and counted placed) was taken over by another replica
 * 0.6 s later. A replica's `active` is how long ago the leader last heard
 * from it; each answers the leader's heartbeats, so a group led by `onto`
 * settles within a heartbeat or two.
 */
async function unsettled(groups: readonly Group[], onto: string, deadline: number): Promise<Group[]> {
  const ledSince = new Map<Group, number>();
  let waiting: Group[] = [...groups];
  const elsewhere: Group[] = [];
  await pollUntil(
    async () => {
      const still: Group[] = [];
      await forEachConcurrently(waiting, CONCENTRATE_CONCURRENCY, async (group) => {
        const state = await settlement(group, onto, ledSince);
        if (state === 'elsewhere') elsewhere.push(group);
        else if (state === 'waiting') still.push(group);
      });
      waiting = still;
      return waiting.length === 0 ? true : undefined;
    },
    { timeoutMs: Math.min(Math.max(deadline - Date.now(), 0), LEADER_TIMEOUT_MS), intervalMs: 100 },
  );
  return [...elsewhere, ...waiting];
}

async function settlement(group: Group, onto: string, ledSince: Map<Group, number>): Promise<'settled' | 'elsewhere' | 'waiting'> {
  let info: ClusterInfo | undefined;
  try {
    info = await group.cluster();
  } catch {
    return 'waiting'; // mid-election, info requests go unanswered
  }
  const readAt = Date.now();
  if (!info?.leader) return 'waiting';
  if (info.leader !== onto) return 'elsewhere';
  const since = ledSince.get(group) ?? readAt;
  ledSince.set(group, since);
  const answered = (info.replicas ?? []).every((r) => !r.offline && r.active !== undefined && readAt - r.active / 1e6 > since);
  return answered ? 'settled' : 'waiting';
}
