import * as z from 'zod';
import { ConfigError } from '../errors.js';
import { issuePath, issueText } from '../util/issue-text.js';

/**
 * What each EventBridge Scheduler schedule sends: the cluster to audit and
 * the schedule's own time (`<aws.scheduler.scheduled-time>`), which is the
 * same for every retry and duplicate of one firing and so keys idempotency.
 */
const auditEventSchema = z.strictObject({
  cluster: z.string().min(1, 'must name a cluster').max(200, 'is too long'),
  scheduledTime: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-23T16:40:00Z' }),
});

export type AuditEvent = z.infer<typeof auditEventSchema>;

export function parseAuditEvent(event: unknown): AuditEvent {
  // jitless: one small event per invocation; compiling zod's fast path for it would only lengthen the cold start.
  const parsed = auditEventSchema.safeParse(event, { error: issueText, jitless: true });
  if (parsed.success) return { ...parsed.data, scheduledTime: new Date(parsed.data.scheduledTime).toISOString() };
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(issuePath(issue.path, 'event'), issue.message);
}

/**
 * What the environment's watchdog schedule sends: the environment whose
 * clusters to judge, and the schedule's time (logged, not used as a key: a
 * duplicate watchdog run only repeats a read).
 */
const watchdogEventSchema = z.strictObject({
  watchdog: z.string().min(1, 'must name an environment').max(200, 'is too long'),
  scheduledTime: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-23T16:40:00Z' }),
});

export type WatchdogEvent = z.infer<typeof watchdogEventSchema>;

/** A watchdog event is told from an audit event by its `watchdog` field; anything else is parsed as an audit event. */
export function isWatchdogEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'watchdog' in event;
}

export function parseWatchdogEvent(event: unknown): WatchdogEvent {
  const parsed = watchdogEventSchema.safeParse(event, { error: issueText, jitless: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(issuePath(issue.path, 'event'), issue.message);
}
