/**
 * One entry point per endpoint: reply text (or the same text already parsed
 * as JSON) in, {@link ParsedReply} out. These never throw; whatever is wrong
 * with a reply becomes `ok: false` with a short `problem`, keeping the server
 * when its block could be read.
 */
import type { z } from 'zod';
import { issueText, kindOf } from '../util/issue-text.js';
import { replyErrorSchema, serverInfoSchema, validServerInfo } from './envelope.js';
import { jszDataSchema, validJszData } from './jsz.js';
import { raftzDataSchema, validRaftzData } from './raftz.js';
import { routezDataSchema, validRoutezData } from './routez.js';
import type { JszData, ParsedReply, RaftzData, ReplyBody, RoutezData, ServerInfo } from './types.js';
import { errorText } from '../util/error-text.js';
import { andMore } from '../util/bounded.js';
import { readPlainFirst } from '../util/plain-tests.js';

/** Longest `problem` text; a finding quotes it, so it stays one line. */
export const MAX_PROBLEM_CHARS = 200;
/** Issues spelled out in a `problem`; the rest are counted. */
export const MAX_PROBLEM_ISSUES = 3;

/** A validation issue with its full path from the top of the reply. */
interface ReplyIssue {
  readonly path: readonly PropertyKey[];
  readonly text: string;
}

/** Control characters of a reply (in a key, an error text) must not reach a terminal or a notification. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

function toReplyIssues(root: string, issues: readonly z.core.$ZodIssue[]): ReplyIssue[] {
  return issues.map((issue) => ({ path: [root, ...issue.path], text: issue.message }));
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function clip(text: string, limit = MAX_PROBLEM_CHARS): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function moreSuffix(hidden: number): string {
  return hidden > 0 ? `; ${andMore(hidden)}` : '';
}

/**
 * Spells out issues while they fit (at most {@link MAX_PROBLEM_ISSUES}),
 * always keeping the "; … and N more" count; a first issue too long on its own
 * is clipped.
 */
function formatIssues(issues: readonly ReplyIssue[]): string {
  const shown: string[] = [];
  for (const issue of issues.slice(0, MAX_PROBLEM_ISSUES)) {
    const text = `${formatPath(issue.path)}: ${issue.text}`;
    const joined = [...shown, text].join('; ') + moreSuffix(issues.length - shown.length - 1);
    if (shown.length > 0 && joined.length > MAX_PROBLEM_CHARS) break;
    shown.push(text);
  }
  const suffix = moreSuffix(issues.length - shown.length);
  return clip(shown.join('; '), MAX_PROBLEM_CHARS - suffix.length) + suffix;
}

/** Our wording for zod's issues; it says what kind of value arrived, never the value. */
const PARSE_OPTIONS = { error: issueText } as const;

/**
 * How one endpoint's `data` is read: its zod schema, which defines what is
 * valid and words the issues, and a shortcut that maps data the
 * schema is known to accept without zod's per-field overhead (undefined
 * when it cannot vouch for the data; the schema then decides).
 */
interface DataReader<T> {
  readonly schema: z.ZodType<T, unknown>;
  readonly shortcut: (raw: unknown) => T | undefined;
}

function parseReplyUnguarded<T>(body: ReplyBody, reader: DataReader<T>): ParsedReply<T> {
  let envelope: unknown;
  if (typeof body === 'object' && body !== null) {
    envelope = body.json;
  } else if (typeof body !== 'string') {
    return { ok: false, problem: `reply body is not text (got ${kindOf(body)})` };
  } else {
    try {
      envelope = JSON.parse(body);
    } catch (error) {
      return { ok: false, problem: clip(`reply is not JSON: ${errorText(error)}`) };
    }
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return { ok: false, problem: `reply is not a JSON object (got ${kindOf(envelope)})` };
  }
  const { server: rawServer, data: rawData, error: rawError } = envelope as Record<string, unknown>;

  const issues: ReplyIssue[] = [];
  const serverResult = readPlainFirst(rawServer, validServerInfo, serverInfoSchema, PARSE_OPTIONS);
  const server: ServerInfo | undefined = serverResult.success ? serverResult.data : undefined;
  if (!serverResult.success) issues.push(...toReplyIssues('server', serverResult.error.issues));

  // Go omits `error` when there is none; a server that failed may still send `data: null`.
  if (rawError !== undefined && rawError !== null) {
    const errorResult = replyErrorSchema.safeParse(rawError, PARSE_OPTIONS);
    if (!errorResult.success) {
      issues.push(...toReplyIssues('error', errorResult.error.issues));
      return { ok: false, server, problem: formatIssues(issues) };
    }
    const { code, description } = errorResult.data;
    const said = clip(description === '' ? `server answered with error ${code}` : `server answered with error ${code}: ${description}`);
    return {
      ok: false,
      server,
      error: errorResult.data,
      problem: issues.length === 0 ? said : clip(`${said}; ${formatIssues(issues)}`),
    };
  }

  if (server !== undefined) {
    const mapped = reader.shortcut(rawData);
    if (mapped !== undefined) return { ok: true, server, data: mapped };
  }
  const dataResult = reader.schema.safeParse(rawData, PARSE_OPTIONS);
  if (!dataResult.success) issues.push(...toReplyIssues('data', dataResult.error.issues));
  if (server === undefined || !dataResult.success) {
    return { ok: false, server, problem: formatIssues(issues) };
  }
  return { ok: true, server, data: dataResult.data };
}

function parseReply<T>(body: ReplyBody, reader: DataReader<T>): ParsedReply<T> {
  let parsed: ParsedReply<T>;
  try {
    parsed = parseReplyUnguarded(body, reader);
  } catch (error) {
    // Nothing above should throw; this keeps a surprise (a stack overflow,
    // a zod bug) from stopping a whole audit run.
    parsed = { ok: false, problem: clip(`reply could not be parsed: ${errorText(error)}`) };
  }
  // A JSON error quotes the reply, an error reply has its own text: either may carry control characters.
  return parsed.ok ? parsed : { ...parsed, problem: parsed.problem.replace(CONTROL_CHARS, '\uFFFD') };
}

/** A detail reply lists thousands of streams: valid ones skip zod (see `validJszData`). */
const JSZ_READER: DataReader<JszData> = { schema: jszDataSchema, shortcut: validJszData };
/** Small replies, but a start that meets only valid ones then never builds their schemas. */
const ROUTEZ_READER: DataReader<RoutezData> = { schema: routezDataSchema, shortcut: validRoutezData };
const RAFTZ_READER: DataReader<RaftzData> = { schema: raftzDataSchema, shortcut: validRaftzData };

/** Parses a `$SYS.REQ.SERVER.*.JSZ` reply. */
export function parseJszReply(body: ReplyBody): ParsedReply<JszData> {
  return parseReply(body, JSZ_READER);
}

/** Parses a `$SYS.REQ.SERVER.*.ROUTEZ` reply. */
export function parseRoutezReply(body: ReplyBody): ParsedReply<RoutezData> {
  return parseReply(body, ROUTEZ_READER);
}

/**
 * Parses a `$SYS.REQ.SERVER.*.RAFTZ` reply (2.10.26+ / 2.11.0+). RAFTZ lists
 * the peers other than the answering server, so that server is added to
 * `peerNames` under its own peer id with the name from the envelope.
 */
export function parseRaftzReply(body: ReplyBody): ParsedReply<RaftzData> {
  const parsed = parseReply(body, RAFTZ_READER);
  if (!parsed.ok || parsed.data.meta === undefined) return parsed;
  const { meta } = parsed.data;
  if (Object.hasOwn(meta.peerNames, meta.selfPeer)) return parsed;
  return {
    ...parsed,
    data: { meta: { ...meta, peerNames: { ...meta.peerNames, [meta.selfPeer]: parsed.server.name } } },
  };
}
