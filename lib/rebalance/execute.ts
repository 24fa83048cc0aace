import type { NatsConnection } from 'nats';
import {
  CLUSTER_NOT_AVAILABLE,
  consumerGroup,
  HAND_OFF_TIMEOUT_MS,
  LEADER_TIMEOUT_MS,
  stepDown,
  StepDownError,
  streamGroup,
  waitForLeader,
  type Group,
} from '../jetstream/raft-groups.js';
import { groupKey } from '../domain/group-key.js';
import type { Observation } from '../observation/types.js';
import { sleep } from '../util/sleep.js';
import { gateProblems } from './gate.js';
import { describeGroup } from '../domain/group-key.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import { accountKeys, describeAccount, type AccountRef } from './account-ref.js';
import type { ClusterPlan, Move } from './types.js';
import { errorText } from '../util/error-text.js';

export interface ExecuteOptions {
  /** Moves started per second at most: each one is an election the cluster absorbs. */
  readonly movesPerSecond: number;
  /** Moves carried out in this run at most; the rest are reported as not attempted. */
  readonly maxMoves: number;
  /** Step-downs one move may take before giving up (2.9 picks the next leader at random). */
  readonly maxStepDownsPerMove: number;
  /** Servers that honour `placement.preferred` (2.11+): one step-down names the next leader. */
  readonly preferredPlacement: boolean;
  readonly signal?: AbortSignal;
  readonly onMove?: (outcome: MoveOutcome, index: number, total: number) => void;
}

export interface ExecuteDependencies {
  /**
   * A connection in the account owning a group (step-downs act in the
   * requester's account); undefined without credentials. Rejects, with a
   * message safe to print, when the credentials do not connect.
   */
  readonly connectAccount: (account: AccountRef) => Promise<NatsConnection | undefined>;
  /** A fresh observation, to re-check the gate before each move. */
  readonly observe: () => Promise<Observation>;
}

export type MoveResult =
  /** The planned server leads the group now. */
  | 'moved'
  /** Another server took over and it stays within the plan's maximum: good enough, no more elections. */
  | 'moved_elsewhere'
  /** The group already had another leader when its turn came. */
  | 'already_moved'
  | 'no_credentials'
  | 'failed'
  | 'not_attempted';

export interface MoveOutcome {
  readonly move: Move;
  readonly result: MoveResult;
  readonly leader?: string;
  readonly stepDowns: number;
  readonly detail?: string;
}

export interface ExecuteResult {
  readonly outcomes: readonly MoveOutcome[];
  /** Why execution stopped before the last move, if it did. */
  readonly stoppedBy?: string;
}

/**
 * Carries out a cluster's moves one at a time, paced, re-checking the gate
 * before every move and stopping at the first problem.
 *
 * Before 2.11 a step-down cannot name the next leader, so a group may land on
 * a server other than the planned one. Loads are tracked as leaders actually
 * land, counting moves still to come into each server: a landing is accepted
 * only if that server can still take every move planned into it, and a later
 * move whose target has filled up is sent to another healthy replica with
 * room instead. Either way no server ends above the plan's maximum.
 */
export async function executePlan(plan: ClusterPlan, deps: ExecuteDependencies, options: ExecuteOptions): Promise<ExecuteResult> {
  const ledger = new LoadLedger(plan);
  const outcomes: MoveOutcome[] = [];
  const moves = plan.moves;
  const interval = 1000 / options.movesPerSecond;
  let stoppedBy: string | undefined;

  for (const [index, planned] of moves.entries()) {
    ledger.take(planned);
    if (stoppedBy === undefined && index >= options.maxMoves) stoppedBy = `the cap of ${options.maxMoves} moves per run was reached`;
    if (stoppedBy === undefined && options.signal?.aborted) stoppedBy = 'interrupted';
    let observation: Observation | undefined;
    if (stoppedBy === undefined) {
      try {
        observation = await deps.observe();
        const problems = gateProblems(observation, [planned]);
        if (problems.length > 0) stoppedBy = `gate closed before ${describeGroup(planned)}: ${problems.join('; ')}`;
      } catch (error) {
        // No sample, no gate: stop rather than move blind.
        stoppedBy = `could not sample the cluster before ${describeGroup(planned)}: ${errorText(error)}`;
      }
    }
    if (stoppedBy !== undefined || observation === undefined) {
      outcomes.push({ move: planned, result: 'not_attempted', stepDowns: 0, detail: stoppedBy });
      continue;
    }
    const move = ledger.retarget(planned, observation);
    const started = Date.now();
    const outcome = await carryOut(move, deps, options, ledger).catch(
      (error: unknown): MoveOutcome => ({ move, result: 'failed', stepDowns: 0, detail: errorText(error) }),
    );
    outcomes.push(outcome);
    options.onMove?.(outcome, index, moves.length);
    if (outcome.leader !== undefined) ledger.landed(move, outcome.leader);
    await sleep(Math.max(0, interval - (Date.now() - started)), options.signal);
  }
  return { outcomes, stoppedBy };
}

/**
 * What each server carries as leaders actually land, and what moves still
 * planned will bring it: leaders for a plan by count, stream writes per
 * second for a plan by load (each move weighs its stream's rate).
 */
class LoadLedger {
  readonly #loads: Map<string, number>;
  readonly #inbound = new Map<string, number>();
  readonly #max: number;
  readonly #weight: (move: Move) => number;

  constructor(plan: ClusterPlan) {
    const byLoad = plan.by === 'load';
    this.#weight = byLoad ? (m) => m.load ?? 0 : () => 1;
    this.#loads = new Map(plan.servers.map((s) => [s.name, byLoad ? (s.loadBefore ?? 0) : s.before.total]));
    for (const m of plan.moves) this.#inbound.set(m.to, (this.#inbound.get(m.to) ?? 0) + this.#weight(m));
    this.#max = byLoad ? (plan.maxLoadAfter ?? 0) : plan.maxAfter;
  }

  /** This move's turn has come: it no longer waits to arrive. */
  take(move: Move): void {
    this.#inbound.set(move.to, (this.#inbound.get(move.to) ?? 0) - this.#weight(move));
  }

  /** Whether `server` can take this move and still every move planned into it. */
  hasRoom(server: string, move: Move): boolean {
    // A hair of slack: loads are sums of floating-point rates.
    return (this.#loads.get(server) ?? 0) + (this.#inbound.get(server) ?? 0) + this.#weight(move) <= this.#max * (1 + 1e-9) + 1e-9;
  }

  landed(move: Move, on: string): void {
    if (move.from === on) return;
    const w = this.#weight(move);
    this.#loads.set(move.from, (this.#loads.get(move.from) ?? 0) - w);
    this.#loads.set(on, (this.#loads.get(on) ?? 0) + w);
  }

  /** The planned target, or, if earlier landings filled it, the healthy replica with the most room. */
  retarget(move: Move, observation: Observation): Move {
    if (this.hasRoom(move.to, move)) return move;
    const key = groupKey(move);
    const group = observation.groups.find((g) => groupKey(g) === key);
    const candidates = (group?.replicas ?? [])
      .filter((r) => r.name !== move.from && isHealthyReplica(r) && this.hasRoom(r.name, move))
      .map((r) => r.name)
      .sort((a, b) => (this.#loads.get(a) ?? 0) + (this.#inbound.get(a) ?? 0) - ((this.#loads.get(b) ?? 0) + (this.#inbound.get(b) ?? 0)));
    return candidates[0] === undefined ? move : { ...move, to: candidates[0] };
  }
}

async function carryOut(move: Move, deps: ExecuteDependencies, options: ExecuteOptions, ledger: LoadLedger): Promise<MoveOutcome> {
  const nc = await deps.connectAccount(move);
  if (!nc) return { move, result: 'no_credentials', stepDowns: 0, detail: noCredentials(move) };
  const jsm = await nc.jetstreamManager();
  const group: Group = move.kind === 'stream' ? streamGroup(jsm, move.stream) : consumerGroup(jsm, move.stream, move.consumer!);
  const acceptable = (server: string) => server !== move.from && ledger.hasRoom(server, move);

  let stepDowns = 0;
  let leader = await waitForLeader(group, LEADER_TIMEOUT_MS);
  // Some other election may have moved the group since the plan was made.
  if (leader !== undefined && leader !== move.from && (leader === move.to || acceptable(leader))) {
    return { move, result: 'already_moved', leader, stepDowns };
  }
  while (stepDowns < options.maxStepDownsPerMove) {
    if (leader === undefined) return { move, result: 'failed', stepDowns, detail: `${describeGroup(move)} has no leader` };
    try {
      await stepDown(nc, group.stepDownSubject, options.preferredPlacement ? move.to : undefined);
    } catch (error) {
      // A replica that has not yet heard of the current leader may answer
      // first with "temporarily unavailable": look again and retry.
      if (!(error instanceof StepDownError && error.errCode === CLUSTER_NOT_AVAILABLE)) {
        return { move, result: 'failed', leader, stepDowns, detail: (error as Error).message };
      }
    }
    stepDowns++;
    const next = (await waitForLeader(group, HAND_OFF_TIMEOUT_MS, leader)) ?? (await waitForLeader(group, LEADER_TIMEOUT_MS));
    if (next === move.to) return { move, result: 'moved', leader: next, stepDowns };
    if (next !== undefined && acceptable(next)) return { move, result: 'moved_elsewhere', leader: next, stepDowns };
    leader = next;
  }
  return { move, result: 'failed', leader, stepDowns, detail: `still led by ${leader ?? 'nobody'} after ${stepDowns} step-downs` };
}


/** Names the account and the keys that would have matched; never a credential. */
export function noCredentials(account: AccountRef): string {
  return `no credentials for account ${describeAccount(account)}: add an entry keyed ${accountKeys(account)}`;
}
