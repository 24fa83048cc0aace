/**
 * Names and ids read from replies end up in findings, notifications and the
 * saved state, so a corrupt or hostile reply must not carry megabytes into
 * them. Real ones are far shorter: server ids are 56-character public keys,
 * peer ids 8-character hashes, and stream, consumer and account names are
 * directory names on the server's disk (at most 255 bytes on common
 * filesystems). A longer one makes the reply invalid, like any wrong type;
 * so does a control character, which NATS refuses in names and which would
 * otherwise reach the operator's terminal.
 */
import * as z from 'zod';

export const MAX_NAME_CHARS = 256;

const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;

let replyNameSchema: z.ZodString | undefined;
let requiredNameSchema: z.ZodString | undefined;

/** A name or id as a reply gives it (built on first use: a CLI start meeting only valid replies never needs it). */
export function replyName(): z.ZodString {
  return (replyNameSchema ??= z
    .string()
    .max(MAX_NAME_CHARS, `longer than ${MAX_NAME_CHARS} characters`)
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'contains control characters'));
}

/** What {@link replyName} accepts, as a plain test (for the replies' shortcuts). */
export function isReplyName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_NAME_CHARS && !CONTROL_CHAR.test(value);
}

/** A name or id that identifies something and so cannot be empty. */
export function requiredName(): z.ZodString {
  return (requiredNameSchema ??= replyName().min(1, 'empty'));
}
