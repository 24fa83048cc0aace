/**
 * One reply's validation, done once. Gather decodes each reply as it
 * arrives, while it still waits for the others (servers answer over tens of
 * milliseconds), and observe() takes that result instead of parsing the
 * same bytes after the last reply: the same function on the same reply,
 * only earlier. A reply read back from a sample file is a new object and
 * is decoded when observe() first asks.
 */
import { parseJszReply, parseRaftzReply, parseRoutezReply } from '../replies/index.js';
import type { ParsedReply } from '../replies/types.js';
import type { Endpoint, RawReply } from './raw-sample.js';

const parsers = {
  JSZ: parseJszReply,
  ROUTEZ: parseRoutezReply,
  RAFTZ: parseRaftzReply,
} as const;

/** Held only as long as the reply is: a sample that is dropped takes its decodings with it. */
const decoded = new WeakMap<RawReply, ParsedReply<unknown> | undefined>();

/** What `reply` says, validated; undefined for a "no responders" marker, which is no server's reply. */
export function decodeReply(endpoint: Endpoint, reply: RawReply): ParsedReply<unknown> | undefined {
  if (decoded.has(reply)) return decoded.get(reply);
  const result = decodeOnce(endpoint, reply);
  decoded.set(reply, result);
  return result;
}

function decodeOnce(endpoint: Endpoint, reply: RawReply): ParsedReply<unknown> | undefined {
  // A 503 status is the "no responders" marker, not a server's reply.
  if (reply.status === 503) return undefined;
  if (reply.json !== undefined) return parsers[endpoint]({ json: reply.json });
  if (reply.body === undefined) {
    return { ok: false, problem: reply.decodeError ?? 'reply could not be decoded' };
  }
  return parsers[endpoint](reply.body);
}

/** Whether `reply` was decoded already (for tests of when decoding happens). */
export function wasDecoded(reply: RawReply): boolean {
  return decoded.has(reply);
}
