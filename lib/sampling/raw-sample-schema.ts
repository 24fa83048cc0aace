/**
 * The zod schemas a sample must satisfy: before it is saved, and when a
 * saved one is read back (the v2 file's first line, or a whole v1 file).
 * Unknown keys are dropped, so a file from a newer auditor that only adds
 * fields still reads. A parsed body (`json`) is never walked here: the reply
 * parsers validate it once, like a live body.
 */
import * as z from 'zod';
import { sanitizeUrl } from './connection-options.js';
import { SAMPLE_TYPE, SAMPLE_TYPE_V1, type RawSample } from '../domain/raw-sample.js';

const nonNegative = z.number().nonnegative();
const epochMs = z.number().int().nonnegative();

const replyFields = {
  latencyMs: nonNegative,
  receivedAt: epochMs,
  wireBytes: z.number().int().nonnegative(),
  body: z.string().optional(),
  decodeError: z.string().optional(),
  status: z.number().int().optional(),
};

export const rawReplySchema = z
  .object({ ...replyFields, json: z.unknown().optional() })
  .refine((reply) => reply.body === undefined || reply.json === undefined, 'holds both body and json');

/** A reply in a v1 file: every body is text. */
const v1ReplySchema = z.object(replyFields);

/**
 * A reply on the first line of a v2 file: a body that is JSON is not here
 * but on line `jsonLine` (1-based; line 1 is this header).
 */
export const fileReplySchema = z
  .object({ ...replyFields, jsonLine: z.number().int().min(2).optional() })
  .refine((reply) => reply.body === undefined || reply.jsonLine === undefined, 'holds both body and jsonLine');

/** The request, vantage and sample levels around one kind of reply. */
function sampleSchemaOf<R extends z.ZodType, T extends z.ZodType>(reply: R, type: T) {
  const request = z.object({
    endpoint: z.enum(['JSZ', 'ROUTEZ', 'RAFTZ']),
    subject: z.string().min(1),
    requestBody: z.string(),
    sentAt: epochMs,
    durationMs: nonNegative,
    ended: z.enum(['all-expected', 'deadline', 'no-responders', 'error']),
    replies: z.array(reply),
    expected: z.number().int().positive().optional(),
    error: z.string().optional(),
  });
  const vantage = z.object({
    url: z
      .string()
      .min(1)
      .refine((url) => sanitizeUrl(url) === url, 'carries user info; a sample must never hold credentials'),
    connected: z.boolean(),
    connectMs: nonNegative.optional(),
    serverName: z.string().optional(),
    serverId: z.string().optional(),
    error: z
      .object({
        kind: z.enum(['auth', 'unreachable', 'tls', 'timeout', 'protocol']),
        message: z.string(),
      })
      .optional(),
    requests: z.array(request),
  });
  const sample = z.object({
    type,
    startedAt: epochMs,
    durationMs: nonNegative,
    expectServers: z.number().int().positive().optional(),
    vantages: z.array(vantage),
  });
  return { request, vantage, sample };
}

const current = sampleSchemaOf(rawReplySchema, z.literal(SAMPLE_TYPE));
export const rawRequestSchema = current.request;
export const rawVantageSchema = current.vantage;
/** A sample in memory, as gather builds it and as a file is read back. */
export const rawSampleSchema = current.sample;

/** The first line of a v2 file: the sample with each JSON body replaced by the line holding it. */
export const sampleFileHeaderSchema = sampleSchemaOf(fileReplySchema, z.literal(SAMPLE_TYPE)).sample;
export type SampleFileHeader = z.infer<typeof sampleFileHeaderSchema>;

/** A whole v1 file, read as the current sample (text bodies are still valid). */
export const v1SampleSchema = sampleSchemaOf(v1ReplySchema, z.literal(SAMPLE_TYPE_V1).transform((): typeof SAMPLE_TYPE => SAMPLE_TYPE)).sample;

// Fail to compile when the schemas and the hand-written contract drift apart.
const _schemaMatchesContract = (parsed: z.infer<typeof rawSampleSchema>): RawSample => parsed;
const _v1MatchesContract = (parsed: z.output<typeof v1SampleSchema>): RawSample => parsed;
void _schemaMatchesContract;
void _v1MatchesContract;
