import { metaMembers } from '../replies/meta-members.js';
import { isObject, isString } from '../util/plain-tests.js';

/**
 * How many servers a raw JSZ reply says the meta group has, read from the
 * text before any validation so a PING can stop as soon as all have
 * answered. `meta_cluster` precedes `account_details` in JSZ, so only the
 * head of the body is scanned.
 */
const META_SCAN_CHARS = 64 * 1024;
const META_KEY = /"meta_cluster"\s*:\s*\{/;

/** `metaMembers` of the reply's `meta_cluster`; undefined when it has none or counts no one. */
export function jszMetaMembers(body: string): number | undefined {
  const meta = metaClusterOf(body.slice(0, META_SCAN_CHARS));
  if (meta === undefined) return undefined;
  const size = meta['cluster_size'];
  const leader = meta['leader'];
  const replicas = meta['replicas'];
  const members = metaMembers({
    clusterSize: typeof size === 'number' && Number.isInteger(size) ? size : undefined,
    leader: isString(leader) ? leader : undefined,
    replicas: Array.isArray(replicas)
      ? replicas.flatMap((peer) => (isObject(peer) && isString(peer['name']) ? [{ name: peer['name'] }] : []))
      : undefined,
  });
  return members > 0 ? members : undefined;
}

/** The `meta_cluster` object of a JSZ body's head, or undefined if absent, cut off or malformed. */
function metaClusterOf(head: string): Record<string, unknown> | undefined {
  const m = META_KEY.exec(head);
  if (m === null) return undefined;
  const start = m.index + m[0].length - 1;
  const end = closingBrace(head, start);
  if (end === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(head.slice(start, end + 1));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Index of the `}` closing the object opened at `open`, skipping braces inside strings. */
function closingBrace(text: string, open: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return undefined;
}
