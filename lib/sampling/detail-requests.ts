/**
 * One vantage's JSZ detail requests (see `JszDetail` in gather-settings.ts):
 * which servers it asks, when, and what it does when a one-server subject
 * is denied. It owns three decisions and the state each needs: the claim
 * (each server is asked once per epoch, by the first vantage to claim it),
 * the fallback (a vantage denied the one-server subject asks the PING for
 * detail instead, once) and, under `flagged`, the one decision on which
 * counting servers the summaries call for.
 */
import type { LeaderBalanceThresholds } from '../domain/leader-balance.js';
import type { RawReply, RawRequest } from '../domain/raw-sample.js';
import { serverIdOf } from '../domain/reply-identity.js';
import { needsDetailAlways, serversNeedingDetail, summaryOf, type ServerSummary } from './detail-policy.js';

/** Share of a vantage's time left when `flagged` decides on detail without waiting for the JSZ PING to end. */
const DETAIL_DECISION_RESERVE = 0.25;

/** A claim shared by an epoch's vantages: true for the first caller per server id, so each server is asked for its detail once. */
export function claimOnce(): (serverId: string) => boolean {
  const claimed = new Set<string>();
  return (serverId) => {
    if (claimed.has(serverId)) return false;
    claimed.add(serverId);
    return true;
  };
}

export interface DetailRequestsOptions {
  /** `per-server` or `flagged`; this class is not used under `per-vantage` or without JSZ. */
  readonly mode: 'per-server' | 'flagged';
  readonly leaderBalance: LeaderBalanceThresholds;
  /** True for the first caller per server id this epoch: that vantage asks the server for its detail. */
  readonly claim: (serverId: string) => boolean;
  /** Sends a JSZ detail request to one server (`serverId`), or as a PING to all (undefined). */
  readonly send: (serverId: string | undefined) => Promise<RawRequest>;
  /** Adds a request to the vantage's result, in the order it was sent. */
  readonly add: (request: Promise<RawRequest | undefined>) => void;
}

export class DetailRequests {
  readonly #options: DetailRequestsOptions;
  #fellBack = false;
  /** `flagged`: the summaries heard, and the one decision on the counting servers among them. */
  readonly #summaries: ServerSummary[] = [];
  #decided = false;
  #decisionTimer: NodeJS.Timeout | undefined;

  constructor(options: DetailRequestsOptions) {
    this.#options = options;
  }

  /**
   * The vantage's own server, known from its INFO before any reply: under
   * `per-server` it is asked at once, under `flagged` when it cannot count
   * its own leaders; and `flagged` decides at the latest with a quarter of
   * `msLeft` to spare, so the detail still has time to come.
   */
  begin(own: { readonly id: string | undefined; readonly version: string | undefined }, msLeft: number): void {
    if (this.#options.mode === 'per-server') {
      if (own.id !== undefined) this.#ask(own.id);
      return;
    }
    if (own.id !== undefined && needsDetailAlways(own.version)) this.#ask(own.id);
    this.#decisionTimer = setTimeout(() => this.decide(), Math.max(0, msLeft * (1 - DETAIL_DECISION_RESERVE)));
    this.#decisionTimer.unref();
  }

  /** A reply to the JSZ PING: a server to ask (`per-server`), or a summary to decide by (`flagged`). */
  heard(reply: RawReply): void {
    if (reply.body === undefined) return;
    if (this.#options.mode === 'per-server') {
      const id = serverIdOf(reply.body);
      if (id !== undefined) this.#ask(id);
      return;
    }
    const summary = summaryOf(reply);
    if (summary === undefined) return;
    this.#summaries.push(summary);
    if (needsDetailAlways(summary.version)) this.#ask(summary.id);
  }

  /** `flagged`: ask the counting servers the summaries heard so far call for; once, when the JSZ PING ends or the timer fires. */
  decide(): void {
    if (this.#options.mode !== 'flagged' || this.#decided) return;
    this.#decided = true;
    clearTimeout(this.#decisionTimer);
    for (const id of serversNeedingDetail(this.#summaries, this.#options.leaderBalance)) this.#ask(id);
  }

  #ask(serverId: string): void {
    const { claim, send, add } = this.#options;
    if (!claim(serverId)) return;
    add(
      send(serverId).then((request) => {
        if (!(request.ended === 'error' && /permissions? violation/i.test(request.error ?? ''))) return request;
        // A user allowed to publish only to PING subjects: ask for detail the
        // way every vantage did before, once for this vantage.
        if (this.#fellBack) return undefined;
        this.#fellBack = true;
        return send(undefined);
      }),
    );
  }
}
