import * as z from 'zod';
import { loadSnapshotSchema } from '../load/load-snapshot.js';

/** Epoch summaries kept for history-based checks (flapping); enough for any sane window. */
export const HISTORY_LIMIT = 100;

const severity = z.enum(['warning', 'critical']);

export const openFindingSchema = z.object({
  check: z.string().min(1),
  subject: z.string().min(1),
  severity,
  /**
   * The worst severity since it opened: its resolution is announced at this
   * severity, so a subscriber paged for the critical hears it end even after
   * it was lowered to a warning. Absent in state saved before it existed.
   */
  peakSeverity: severity.optional(),
  summary: z.string(),
  firstSeen: z.number().finite(),
  lastSeen: z.number().finite(),
  epochs: z.number().int().min(1),
  persistent: z.boolean(),
  /** When a notifier last sent this finding (epoch ms); drives reminders. */
  notifiedAt: z.number().finite().optional(),
});

export const epochSummarySchema = z.object({
  id: z.number().int().min(1),
  startedAt: z.number().finite(),
  metaLeaders: z.record(z.string(), z.string().nullable()),
  knownServers: z.array(z.string()).readonly().optional(),
});

/** What one cluster's audit remembers between epochs. */
export const auditStateSchema = z.object({
  /** Incremented on every save; stores use it for optimistic concurrency. */
  revision: z.number().int().min(0),
  /** Id of the last completed epoch (0 before the first). */
  epoch: z.number().int().min(0),
  open: z.array(openFindingSchema),
  history: z.array(epochSummarySchema),
  /** Group counters for write rates (lib/load/load-snapshot.ts); absent before the first epoch with stream detail, or while leader_load_concentration is skipped. */
  load: loadSnapshotSchema.optional(),
  /** The epoch the consumer counters in their own item date from (lib/load/consumer-counters.ts); absent before the first. */
  consumerCountersEpoch: z.number().int().min(0).optional(),
});

export type OpenFinding = z.infer<typeof openFindingSchema>;
export type AuditState = z.infer<typeof auditStateSchema>;

export function emptyState(): AuditState {
  return { revision: 0, epoch: 0, open: [], history: [] };
}
