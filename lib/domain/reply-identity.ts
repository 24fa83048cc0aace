/**
 * Which server a system reply came from, read without parsing the reply:
 * gather needs it for every reply as it arrives (to count distinct servers
 * and stop waiting), the sample file to index bodies, and observe() to
 * tell replies apart, so there is one reading of it.
 */

/** The `server` block opens every system reply and is a few hundred bytes. */
const SERVER_BLOCK_SCAN_CHARS = 4096;
/**
 * `"server":{...}` is the first key of every system reply (Go marshals
 * `ServerAPIResponse` in field order) and holds no nested object before
 * `id`; JSON escapes quotes inside strings, so a name or tag cannot fake it.
 */
const SERVER_ID = /^\s*\{\s*"server"\s*:\s*\{[^{}]*?"id"\s*:\s*"([^"\\]+)"/;

/** The answering server's id from the `server` block, or undefined. */
export function serverIdOf(body: string): string | undefined {
  return SERVER_ID.exec(body.slice(0, SERVER_BLOCK_SCAN_CHARS))?.[1];
}

/**
 * {@link serverIdOf} for a body already parsed as JSON. A sample file keeps
 * a body as text when the two would disagree (sample-file.ts), so a saved
 * reply names the same server as it did live.
 */
export function serverIdOfJson(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const server = (json as Record<string, unknown>)['server'];
  if (typeof server !== 'object' || server === null || Array.isArray(server)) return undefined;
  const id = (server as Record<string, unknown>)['id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}
