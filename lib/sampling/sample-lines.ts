/**
 * The sample file format without the file around it (sample-file.ts adds
 * gzip, the disk and atomic writes).
 *
 * v2 (`io.nats-audit.v2.sample`) is JSON lines. Line 1 is the sample with
 * every reply's metadata; a reply whose body is JSON has `jsonLine: n`
 * instead of `body`, and line n holds that body as JSON, in the order line 1
 * lists them. A reader parses each body once, as its line arrives, and keeps
 * only the value, which the reply parsers then validate like a live body. A
 * body stays text in line 1 when it is not JSON, or when its value would not
 * reproduce what its text gave live (see {@link planRequest}), so a broken
 * reply still gives exactly its finding.
 *
 * v1 (`io.nats-audit.v1.sample`, before bodies were stored parsed) is one
 * JSON document with every body as text; it is still read.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { serverIdOf, serverIdOfJson } from '../domain/reply-identity.js';
import type { RawReply, RawRequest, RawSample } from '../domain/raw-sample.js';
import { SAMPLE_TYPE } from '../domain/raw-sample.js';
import { sampleFileHeaderSchema, v1SampleSchema, type SampleFileHeader } from './raw-sample-schema.js';
import { joinBounded } from '../util/bounded.js';

/** Enough issues to fix a hand-edited file, few enough to read. */
const MAX_ISSUES_SHOWN = 5;

/**
 * A file's metadata is parsed once per read: compiling zod's fast path for
 * each of its object schemas (`new Function` on first use) costs more than
 * it saves on a sample's few dozen vantages, requests and replies. Same
 * rules, same result.
 */
const PARSE_ONCE = { jitless: true } as const;

/** What a file problem says; the caller adds the file's name. */
export class SampleFormatError extends Error {
  constructor(problem: string, options?: { cause?: unknown }) {
    super(problem, options);
    this.name = 'SampleFormatError';
  }
}

/** How one reply's body is stored: on its own line (verbatim JSON text, or a value to serialize), or as text in line 1. */
interface BodyPlan {
  readonly line?: string | { readonly json: unknown };
  readonly text?: string;
}

/** Line 1 and then every body line of `sample`, each line followed by its own `'\n'` piece. */
export function* encodeSampleLines(sample: RawSample): Generator<string> {
  const lines: NonNullable<BodyPlan['line']>[] = [];
  const header: SampleFileHeader = {
    ...sample,
    vantages: sample.vantages.map((vantage) => ({
      ...vantage,
      requests: vantage.requests.map((request) => {
        const plans = planRequest(request);
        return {
          ...request,
          replies: request.replies.map(({ body: _body, json: _json, ...meta }, i) => {
            const { line, text } = plans[i]!;
            if (line === undefined) return text === undefined ? meta : { ...meta, body: text };
            lines.push(line);
            return { ...meta, jsonLine: lines.length + 1 };
          }),
        };
      }),
    })),
  };
  yield JSON.stringify(header);
  yield '\n';
  for (const line of lines) {
    // One at a time: a detail body can be tens of MB, and the whole sample past V8's string limit.
    yield typeof line === 'string' ? line : JSON.stringify(line.json);
    yield '\n';
  }
}

/**
 * Decides each reply's storage. Two rules keep a saved body's verdict
 * identical to the live one:
 * - observe() names the sender of a reply it cannot read from the text's
 *   leading `server.id` ({@link serverIdOf}); a body whose value names
 *   another (or none) stays text;
 * - observe() drops a server's answers to one request when their texts
 *   differ. Values cannot tell texts apart that differ only in spacing or
 *   escapes, so such replies stay text.
 */
function planRequest(request: RawRequest): BodyPlan[] {
  const withBody = request.replies.filter((r) => r.json !== undefined || r.body !== undefined).length;
  const digests: (string | undefined)[] = [];
  const plans = request.replies.map((reply) => {
    const { plan, digest } = planReply(reply, withBody > 1);
    digests.push(digest);
    return plan;
  });
  if (withBody < 2) return plans;
  /** A reply that arrived as a value has no text; its value stands in. */
  const VALUE = Symbol('value');
  const textOf = new Map<string, string | typeof VALUE>();
  const mixed = new Set<string>();
  request.replies.forEach((reply, i) => {
    const digest = digests[i];
    if (digest === undefined) return;
    const text = reply.body ?? VALUE;
    const seen = textOf.get(digest);
    if (seen === undefined) textOf.set(digest, text);
    else if (seen !== text) mixed.add(digest);
  });
  return plans.map((plan, i) => {
    const digest = digests[i];
    if (digest === undefined || !mixed.has(digest)) return plan;
    const reply = request.replies[i]!;
    return { text: reply.body ?? JSON.stringify(reply.json) };
  });
}

function planReply(reply: RawReply, wantDigest: boolean): { plan: BodyPlan; digest?: string } {
  let value: unknown;
  let line: BodyPlan['line'];
  if (reply.json !== undefined) {
    value = reply.json;
    line = { json: value };
  } else if (reply.body === undefined) {
    return { plan: {} };
  } else {
    const text = reply.body;
    try {
      value = JSON.parse(text);
    } catch {
      return { plan: { text } };
    }
    if (serverIdOf(text) !== serverIdOfJson(value)) return { plan: { text } };
    // JSON only has line breaks between tokens; a body with some is stored compact.
    line = text.includes('\n') ? { json: value } : text;
  }
  if (!wantDigest) return { plan: { line } };
  let canonical: string;
  try {
    canonical = JSON.stringify(value);
  } catch {
    // Nested too deep to serialize: cannot be compared as a value.
    return { plan: reply.body === undefined ? { line } : { text: reply.body } };
  }
  return { plan: { line }, digest: createHash('sha256').update(canonical).digest('base64') };
}

/**
 * Reads a sample from its lines (text, without their `'\n'`): a v2 file
 * line by line, keeping each body's value and dropping its text; anything
 * else is read whole as a v1 document. Throws {@link SampleFormatError}.
 */
export async function decodeSampleLines(lines: AsyncIterable<string>): Promise<RawSample> {
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const firstText = first.done === true ? '' : first.value;
  let head: unknown;
  try {
    head = JSON.parse(firstText);
  } catch {
    head = undefined;
  }
  if (typeof head === 'object' && head !== null && (head as { type?: unknown }).type === SAMPLE_TYPE) {
    return decodeV2(head, iterator);
  }
  const rest: string[] = first.done === true ? [] : [first.value];
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rest.push(next.value);
  return decodeV1(rest.join('\n'));
}

function decodeV1(text: string): RawSample {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SampleFormatError(`not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = v1SampleSchema.safeParse(json, PARSE_ONCE);
  if (!parsed.success) throw new SampleFormatError(`not a valid nats-audit sample: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

async function decodeV2(head: unknown, lines: AsyncIterator<string>): Promise<RawSample> {
  const parsed = sampleFileHeaderSchema.safeParse(head, PARSE_ONCE);
  if (!parsed.success) throw new SampleFormatError(`not a valid nats-audit sample: ${formatIssues(parsed.error)}`);
  const header = parsed.data;
  const pathOf: string[] = [];
  header.vantages.forEach((v, vi) =>
    v.requests.forEach((r, ri) =>
      r.replies.forEach((reply, pi) => {
        if (reply.jsonLine === undefined) return;
        const path = `vantages[${vi}].requests[${ri}].replies[${pi}]`;
        const expected = pathOf.length + 2;
        if (reply.jsonLine !== expected) {
          throw new SampleFormatError(`not a valid nats-audit sample: ${path}.jsonLine: expected ${expected}, the next body line (got ${reply.jsonLine})`);
        }
        pathOf.push(path);
      }),
    ),
  );
  const values: unknown[] = [];
  for (const [i, path] of pathOf.entries()) {
    const lineNo = i + 2;
    const next = await lines.next();
    if (next.done === true) {
      throw new SampleFormatError(`truncated: ends after line ${lineNo - 1}, but the body of ${path} is on line ${lineNo} (of ${pathOf.length + 1})`);
    }
    try {
      values.push(JSON.parse(next.value));
    } catch (err) {
      throw new SampleFormatError(`line ${lineNo} (the body of ${path}) is not JSON (${(err as Error).message})`, { cause: err });
    }
  }
  for (let next = await lines.next(), lineNo = pathOf.length + 2; next.done !== true; next = await lines.next(), lineNo++) {
    if (next.value.length > 0) throw new SampleFormatError(`line ${lineNo}: unexpected; the sample lists ${pathOf.length} body lines`);
  }
  let k = 0;
  return {
    ...header,
    vantages: header.vantages.map((v) => ({
      ...v,
      requests: v.requests.map((r) => ({
        ...r,
        replies: r.replies.map(({ jsonLine, ...meta }): RawReply => (jsonLine === undefined ? meta : { ...meta, json: values[k++] })),
      })),
    })),
  };
}

export function formatIssues(error: z.ZodError): string {
  return joinBounded(
    error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    MAX_ISSUES_SHOWN,
    '; ',
  );
}

/** `vantages[1].requests[0].ended`, the way a reader finds it in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
