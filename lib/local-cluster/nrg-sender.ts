import { createHash } from 'node:crypto';

/**
 * Who sent a meta-group Raft message, read from its payload. Used to tell
 * whether a server's own Raft messages leave it at all (see
 * `raft-sends.ts`). Layouts from server/raft.go (v2.9
 * to v2.14, unchanged for these four): node ids are 8 bytes.
 */
const ID_LEN = 8;
/** appendEntryResponse.encode: term(8) index(8) peer(8) success(1). */
const AE_RESPONSE_LEN = 25;
/** voteRequest.encode: term(8) lastTerm(8) lastIndex(8) candidate(8). */
const VOTE_REQUEST_LEN = 32;
/** voteResponse.encode: term(8) peer(8) granted(1). */
const VOTE_RESPONSE_LEN = 17;

/** getHash in server/events.go: sha256 of the server name, the first 8 bytes mapped onto 62 digits. */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The Raft node id (JSZ `peer`, RAFTZ `id`) a server named `serverName` has in every group. */
export function nodeIdOf(serverName: string): string {
  const sha = createHash('sha256').update(serverName).digest();
  return Array.from(sha.subarray(0, ID_LEN), (b) => DIGITS[b % DIGITS.length]).join('');
}

const ascii = (bytes: Uint8Array, from: number): string => new TextDecoder().decode(bytes.subarray(from, from + ID_LEN));

/**
 * The node id of the sender of a message seen on `$NRG.>`, or undefined when
 * the subject or length is not one this knows. Append entries (`$NRG.AE.*`)
 * start with the leader's id; replies (`$NRG.R.*`) are told apart by length.
 */
export function nrgSenderOf(subject: string, payload: Uint8Array): string | undefined {
  if (subject.startsWith('$NRG.AE.')) return payload.length >= ID_LEN ? ascii(payload, 0) : undefined;
  if (subject.startsWith('$NRG.V.')) return payload.length === VOTE_REQUEST_LEN ? ascii(payload, 24) : undefined;
  if (subject.startsWith('$NRG.R.')) {
    if (payload.length === AE_RESPONSE_LEN) return ascii(payload, 16);
    if (payload.length === VOTE_RESPONSE_LEN) return ascii(payload, 8);
  }
  return undefined;
}
