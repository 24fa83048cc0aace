/**
 * Which server each reply may speak for. Replies are keyed by server id and
 * judged by server name, so both must pair one to one: otherwise a reply
 * carrying another server's name (two servers configured with one name, a
 * restart during the audit, a corrupt or forged envelope) would silently
 * replace that server's data. Conflicting pairs are settled here and the
 * losing replies reported instead of used.
 */
import { compareText } from '../util/compare-text.js';

/** A server as a reply's envelope or a connection's INFO introduces it. */
export interface Identity {
  readonly id: string;
  readonly name: string;
}

export interface IdentityClaim extends Identity {
  /** Vantage URL the claim arrived through. */
  readonly vantage: string;
}

export interface ResolvedIdentities {
  /** The name the server with this id answers as, if its id is known. */
  nameOf(id: string): string | undefined;
  /** Why a reply claiming this identity must not be used; undefined when it may. */
  conflict(identity: Identity): string | undefined;
}

/** Identities shown in a problem are cut to this: a hostile name must not flood a finding. */
const SHOWN_CHARS = 40;

function shown(text: string): string {
  return JSON.stringify(text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS - 1)}…`);
}

/**
 * Settles who is who. A connection's own INFO vouches for the server it
 * landed on and goes first, when some reply bears that identity out (a
 * server restarted since the connection was made has a new id); then the
 * pairs heard through the most vantages (then in the most replies) win. A
 * pair whose id or name is already taken by another pair loses.
 */
export function resolveIdentities(vouched: readonly Identity[], claims: readonly IdentityClaim[]): ResolvedIdentities {
  const nameById = new Map<string, string>();
  const idByName = new Map<string, string>();
  const accept = ({ id, name }: Identity): void => {
    if (nameById.has(id) || idByName.has(name)) return;
    nameById.set(id, name);
    idByName.set(name, id);
  };

  const tally = new Map<string, { identity: Identity; vantages: Set<string>; replies: number }>();
  for (const claim of claims) {
    const key = pairKey(claim);
    const entry = tally.get(key) ?? { identity: { id: claim.id, name: claim.name }, vantages: new Set<string>(), replies: 0 };
    entry.vantages.add(claim.vantage);
    entry.replies++;
    tally.set(key, entry);
  }
  const ranked = [...tally.values()].sort(
    (a, b) =>
      b.vantages.size - a.vantages.size ||
      b.replies - a.replies ||
      compareText(a.identity.id, b.identity.id) ||
      compareText(a.identity.name, b.identity.name),
  );
  for (const identity of vouched) if (tally.has(pairKey(identity))) accept(identity);
  for (const { identity } of ranked) accept(identity);

  return {
    nameOf: (id) => nameById.get(id),
    conflict({ id, name }) {
      const nameOfId = nameById.get(id);
      const idOfName = idByName.get(name);
      if (nameOfId === name) return undefined;
      const nameTaken = idOfName !== undefined && idOfName !== id;
      if (nameTaken && nameOfId !== undefined) {
        return `reply names its server ${shown(name)} but carries the id of ${shown(nameOfId)} (${shown(id)}); not used`;
      }
      if (nameTaken) {
        return `reply names its server ${shown(name)} with id ${shown(id)}, but ${shown(name)} answers with id ${shown(idOfName)} (two servers with one name, or a restart during the audit); not used`;
      }
      return `reply from server id ${shown(id)} names it ${shown(name)}, but that id answers as ${shown(nameOfId ?? '?')}; not used`;
    },
  };
}

function pairKey({ id, name }: Identity): string {
  return `${id}\u0000${name}`;
}
