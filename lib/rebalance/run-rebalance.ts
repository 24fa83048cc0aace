import type { NatsConnection } from 'nats';
import type { Observation } from '../observation/types.js';
import type { AccountRef } from './account-ref.js';
import { executePlan, noCredentials, type ExecuteResult, type MoveOutcome } from './execute.js';
import { gateProblems } from './gate.js';
import { planRebalance } from './plan.js';
import { isHealthyReplica } from '../domain/replica-health.js';
import { stepDownsNameLeader } from './step-down-placement.js';
import type { RebalancePlan } from './types.js';
import { errorText } from '../util/error-text.js';

/**
 * Step-downs one move may take. On 2.9 each hands leadership to an arbitrary
 * current peer, so an R3 group reaches its target about half the time per
 * step-down: 20 tries leave a one-in-a-million chance of giving up.
 */
export const MAX_STEP_DOWNS_PER_MOVE = 20;

export interface RebalanceRunOptions {
  /** Only this NATS cluster (by name); every cluster otherwise. */
  readonly cluster?: string;
  readonly movesPerSecond: number;
  /** Moves carried out in this run at most, across clusters. */
  readonly maxMoves: number;
  readonly signal?: AbortSignal;
  readonly onMove?: (outcome: MoveOutcome, index: number, total: number) => void;
}

export interface RebalanceRunDependencies {
  /** A fresh observation (the gate is re-checked from one before every move). */
  readonly observe: () => Promise<Observation>;
  /** A connection in the account owning a group (by public key or name); undefined without credentials for it. */
  readonly connectAccount: (account: AccountRef) => Promise<NatsConnection | undefined>;
  /** Whether credentials are known for an account, so the run can say up front which accounts lack them. */
  readonly hasCredentials: (account: AccountRef) => boolean;
  /** Plans from an observation (`rebalance --by load` passes its own); by leader counts when unset. */
  readonly plan?: (observation: Observation) => Promise<RebalancePlan>;
}

/** An account owning planned moves that no credentials entry matches: those moves end `no_credentials`. */
export interface MissingCredentials extends AccountRef {
  readonly moves: number;
  /** What to add, naming the account and the keys that would match; never a credential. */
  readonly detail: string;
}

export interface RebalanceRun {
  readonly plan: RebalancePlan;
  /** Why the gate refused to start; nothing was moved. */
  readonly refused?: readonly string[];
  /** Accounts owning planned moves without credentials, in plan order. */
  readonly missingCredentials: readonly MissingCredentials[];
  readonly executions: readonly { readonly cluster: string; readonly result: ExecuteResult }[];
  /** Plan from a fresh sample after the moves: what is left. Absent if that sample failed. */
  readonly after?: RebalancePlan;
  readonly verificationError?: string;
  /** Every planned move happened and the verification sample was taken. */
  readonly complete: boolean;
}

const DONE: readonly MoveOutcome['result'][] = ['moved', 'moved_elsewhere', 'already_moved'];

/** Plans from `before`, checks the gate, carries the moves out and verifies from a fresh sample. */
export async function runRebalance(before: Observation, deps: RebalanceRunDependencies, options: RebalanceRunOptions): Promise<RebalanceRun> {
  const planFrom = deps.plan ?? (async (o: Observation) => planRebalance(o, { cluster: options.cluster, canLead: isHealthyReplica }));
  const plan = await planFrom(before);
  const missingCredentials = accountsWithoutCredentials(plan, deps.hasCredentials);
  const problems = gateProblems(before, plan.clusters.flatMap((c) => c.moves));
  if (problems.length > 0) return { plan, refused: problems, missingCredentials, executions: [], complete: false };

  const executions: { cluster: string; result: ExecuteResult }[] = [];
  let budget = options.maxMoves;
  for (const cluster of plan.clusters.filter((c) => c.moves.length > 0)) {
    const members = before.servers.filter((s) => (s.cluster ?? '') === cluster.cluster);
    const result = await executePlan(cluster, deps, {
      movesPerSecond: options.movesPerSecond,
      maxMoves: budget,
      maxStepDownsPerMove: MAX_STEP_DOWNS_PER_MOVE,
      preferredPlacement: stepDownsNameLeader(members),
      signal: options.signal,
      onMove: options.onMove,
    });
    budget -= result.outcomes.filter((o) => o.result !== 'not_attempted').length;
    executions.push({ cluster: cluster.cluster, result });
  }

  // Verification from a fresh sample, not from what the step-downs replied.
  let after: RebalancePlan | undefined;
  let verificationError: string | undefined;
  try {
    after = await planFrom(await deps.observe());
  } catch (error) {
    verificationError = errorText(error);
  }
  const complete = after !== undefined && executions.every(({ result }) => result.outcomes.every((o) => DONE.includes(o.result)));
  return { plan, missingCredentials, executions, after, verificationError, complete };
}

function accountsWithoutCredentials(plan: RebalancePlan, has: (account: AccountRef) => boolean): MissingCredentials[] {
  const missing = new Map<string, { ref: AccountRef; moves: number }>();
  for (const move of plan.clusters.flatMap((c) => c.moves)) {
    if (has(move)) continue;
    const key = `${move.account}\u0000${move.accountId ?? ''}`;
    const seen = missing.get(key);
    if (seen) seen.moves++;
    else missing.set(key, { ref: move.accountId === undefined ? { account: move.account } : { account: move.account, accountId: move.accountId }, moves: 1 });
  }
  return [...missing.values()].map(({ ref, moves }) => ({ ...ref, moves, detail: noCredentials(ref) }));
}
