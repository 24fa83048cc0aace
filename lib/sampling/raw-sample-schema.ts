/**
 * The zod schema a saved sample must satisfy before `check --sample` trusts
 * it. Unknown keys are dropped, so a file from a newer auditor that only
 * adds fields still reads.
 */
import * as z from 'zod';
import { sanitizeUrl } from './connection-options.js';
import { SAMPLE_TYPE, type RawSample } from './raw-sample.js';

const nonNegative = z.number().nonnegative();
const epochMs = z.number().int().nonnegative();

export const rawReplySchema = z.object({
  latencyMs: nonNegative,
  receivedAt: epochMs,
  wireBytes: z.number().int().nonnegative(),
  body: z.string().optional(),
  decodeError: z.string().optional(),
  status: z.number().int().optional(),
});

export const rawRequestSchema = z.object({
  endpoint: z.enum(['JSZ', 'ROUTEZ', 'RAFTZ']),
  subject: z.string().min(1),
  requestBody: z.string(),
  sentAt: epochMs,
  durationMs: nonNegative,
  ended: z.enum(['all-expected', 'deadline', 'no-responders', 'error']),
  replies: z.array(rawReplySchema),
  expected: z.number().int().positive().optional(),
  error: z.string().optional(),
});

export const rawVantageSchema = z.object({
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
  requests: z.array(rawRequestSchema),
});

export const rawSampleSchema = z.object({
  type: z.literal(SAMPLE_TYPE),
  startedAt: epochMs,
  durationMs: nonNegative,
  expectServers: z.number().int().positive().optional(),
  vantages: z.array(rawVantageSchema),
});

// Fails to compile when the schema and the hand-written contract drift apart.
const _schemaMatchesContract = (parsed: z.infer<typeof rawSampleSchema>): RawSample => parsed;
void _schemaMatchesContract;
