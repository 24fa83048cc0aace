/**
 * The envelope every `$SYS.REQ.SERVER.*.<EP>` reply shares
 * (`ServerAPIResponse` in server/events.go):
 * `{server: {...}, data?, error?: {code, err_code?, description?}}`.
 * `data` is validated by the endpoint's own schema; this file reads the rest.
 */
import * as z from 'zod';
import { isReplyName, replyName, requiredName } from './names.js';
import type { ReplyError, ServerInfo } from './types.js';

/**
 * Go marshals `time.Time` as RFC 3339 with up to nine fractional digits,
 * trailing zeros trimmed (`2026-11-23T14:27:45.566367214Z`). JavaScript dates
 * hold milliseconds, so the fraction is cut to three digits before parsing.
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of a Go RFC 3339 timestamp, or undefined when the text is not one. */
export function parseServerTime(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, base, fraction = '', zone] = match;
  const millis = (fraction + '000').slice(0, 3);
  const epochMs = Date.parse(`${base}.${millis}${zone}`);
  return Number.isNaN(epochMs) ? undefined : epochMs;
}

/** Built on first use, as the JSZ schemas are (jsz.ts): a CLI start should not pay for what its epoch may not read. */
function buildServerInfoSchema() {
  const serverTimeSchema = z.string().transform((text, ctx) => {
    const epochMs = parseServerTime(text);
    if (epochMs === undefined) {
      ctx.issues.push({ code: 'custom', message: 'expected an RFC 3339 timestamp', input: text });
      return z.NEVER;
    }
    return epochMs;
  });

  /** `cluster` and `domain` are `omitempty`; an empty string means the same as absent. */
  const optionalName = replyName()
    .optional()
    .transform((value) => (value === '' ? undefined : value));

  return z
    .object({
      name: requiredName(),
      id: requiredName(),
      host: replyName().optional(),
      cluster: optionalName,
      domain: optionalName,
      ver: replyName(),
      jetstream: z.boolean().optional(),
      time: serverTimeSchema.optional(),
    })
    .transform(
      (raw): ServerInfo => ({
        name: raw.name,
        id: raw.id,
        host: raw.host,
        cluster: raw.cluster,
        domain: raw.domain,
        version: raw.ver,
        time: raw.time,
        jetstream: raw.jetstream,
      }),
    );
}

/** The `server` block (`ServerInfo` in server/events.go, same tags 2.9 to 2.12 for what is read here). */
export const serverInfoSchema: z.ZodType<ServerInfo, unknown> = z.lazy(buildServerInfoSchema);

/**
 * {@link serverInfoSchema}'s result for a valid block, by plain tests;
 * undefined for anything else, which zod then reads to word the issues.
 * Every reply carries one, so a CLI run that meets only valid replies never
 * builds the schema (a few ms of each start). The property tests hold the
 * two to the same verdict and result.
 */
export function validServerInfo(raw: unknown): ServerInfo | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { name, id, host, cluster, domain, ver, jetstream, time } = raw as Record<string, unknown>;
  if (!isRequiredName(name) || !isRequiredName(id) || !isReplyName(ver)) return undefined;
  if (!isOptionalName(host) || !isOptionalName(cluster) || !isOptionalName(domain)) return undefined;
  if (jetstream !== undefined && typeof jetstream !== 'boolean') return undefined;
  let epochMs: number | undefined;
  if (time !== undefined) {
    if (typeof time !== 'string') return undefined;
    epochMs = parseServerTime(time);
    if (epochMs === undefined) return undefined;
  }
  return {
    name,
    id,
    host,
    cluster: cluster === '' ? undefined : cluster,
    domain: domain === '' ? undefined : domain,
    version: ver,
    time: epochMs,
    jetstream,
  };
}

function isRequiredName(value: unknown): value is string {
  return isReplyName(value) && value.length > 0;
}

function isOptionalName(value: unknown): value is string | undefined {
  return value === undefined || isReplyName(value);
}

/** `ApiError` (server/jetstream_errors.go): `description` is `omitempty`. */
export const replyErrorSchema: z.ZodType<ReplyError, unknown> = z.lazy(() =>
  z
    .object({
      code: z.number(),
      description: z.string().optional(),
    })
    .transform((raw): ReplyError => ({ code: raw.code, description: raw.description ?? '' })),
);
