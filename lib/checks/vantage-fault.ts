import type { Endpoint } from '../domain/raw-sample.js';
import type { VantageObservation } from '../observation/types.js';
import { joinBounded } from '../util/bounded.js';

/** What went wrong with one vantage, said once: the cause and the requests it took with it. */
export interface VantageFault {
  readonly url: string;
  /** `kind: message` of a failed connection, else the error the failed requests ended with. */
  readonly error: string;
  /** Requests the fault took with it; empty when the connection never stood. */
  readonly lost: readonly Endpoint[];
}

/**
 * The vantage's fault, or undefined when it worked. A connection reset
 * mid-reply fails every request still open on it with the same error: that is
 * one fault of the vantage, reported once with the endpoints it cost, never as
 * a bad reply per endpoint from a server that sent nothing wrong.
 */
export function vantageFault(v: VantageObservation): VantageFault | undefined {
  const lost = [...new Set(v.failedRequests.map((r) => r.endpoint))];
  if (v.error) return { url: v.url, error: `${v.error.kind}: ${v.error.message}`, lost };
  if (lost.length > 0) {
    const errors = [...new Set(v.failedRequests.map((r) => r.error))];
    return { url: v.url, error: joinBounded(errors, 1, '; '), lost };
  }
  if (v.connected && v.heard.length > 0) return undefined;
  return { url: v.url, error: `connected, no JSZ reply (${v.jszEnded ?? 'not asked'})`, lost };
}

/** "JSZ, ROUTEZ and RAFTZ" */
export function endpointList(endpoints: readonly Endpoint[]): string {
  return endpoints.length <= 1 ? (endpoints[0] ?? '') : `${endpoints.slice(0, -1).join(', ')} and ${endpoints.at(-1)}`;
}
