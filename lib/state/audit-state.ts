import * as z from 'zod';
import { loadSnapshotSchema, validEncodedSnapshot, type EncodedLoadSnapshot } from '../load/load-snapshot.js';
import { isArrayOf, isBoolean, isCount, isNumber, isObject, isRecordOf, isString, isWholeAtLeast, readPlainFirst } from '../util/plain-tests.js';

/** Epoch summaries kept for history-based checks (flapping); enough for any sane window. */
export const HISTORY_LIMIT = 100;

/** A check's severity as saved (lib/checks' own type; state and checks are peers). */
type Severity = 'warning' | 'critical';

export interface OpenFinding {
  check: string;
  subject: string;
  severity: Severity;
  /**
   * The worst severity since it opened: its resolution is announced at this
   * severity, so a subscriber paged for the critical hears it end even after
   * it was lowered to a warning. Absent in state saved before it existed.
   */
  peakSeverity?: Severity;
  summary: string;
  firstSeen: number;
  lastSeen: number;
  epochs: number;
  persistent: boolean;
  /** When a notifier last sent this finding (epoch ms); drives reminders. */
  notifiedAt?: number;
}

export interface EpochSummary {
  id: number;
  startedAt: number;
  metaLeaders: Record<string, string | null>;
  knownServers?: readonly string[];
}

/** What one cluster's audit remembers between epochs. */
export interface AuditState {
  /** Incremented on every save; stores use it for optimistic concurrency. */
  revision: number;
  /** Id of the last completed epoch (0 before the first). */
  epoch: number;
  open: OpenFinding[];
  history: EpochSummary[];
  /** Group counters for write rates (lib/load/load-snapshot.ts); absent before the first epoch with stream detail, or while leader_load_concentration is skipped. */
  load?: EncodedLoadSnapshot;
  /** The epoch the consumer counters in their own item date from (lib/load/consumer-counters.ts); absent before the first. */
  consumerCountersEpoch?: number;
}

/**
 * The rules for saved state, built on first use: state read back as it was
 * written passes {@link validAuditState} and never needs zod, which then only
 * words what is wrong with a corrupt one. A property test holds the two to one
 * verdict and result.
 */
function buildAuditStateSchema() {
  const severity = z.enum(['warning', 'critical']);
  const openFindingSchema = z.object({
    check: z.string().min(1),
    subject: z.string().min(1),
    severity,
    peakSeverity: severity.optional(),
    summary: z.string(),
    firstSeen: z.number().finite(),
    lastSeen: z.number().finite(),
    epochs: z.number().int().min(1),
    persistent: z.boolean(),
    notifiedAt: z.number().finite().optional(),
  });
  const epochSummarySchema = z.object({
    id: z.number().int().min(1),
    startedAt: z.number().finite(),
    metaLeaders: z.record(z.string(), z.string().nullable()),
    knownServers: z.array(z.string()).readonly().optional(),
  });
  return z.object({
    revision: z.number().int().min(0),
    epoch: z.number().int().min(0),
    open: z.array(openFindingSchema),
    history: z.array(epochSummarySchema),
    load: loadSnapshotSchema.optional(),
    consumerCountersEpoch: z.number().int().min(0).optional(),
  });
}

export const auditStateSchema: z.ZodType<AuditState, unknown> = z.lazy(buildAuditStateSchema);

const isSeverity = (value: unknown): value is Severity => value === 'warning' || value === 'critical';
const isName = (value: unknown): value is string => isString(value) && value.length > 0;

function validOpenFinding(raw: unknown): OpenFinding | undefined {
  if (!isObject(raw)) return undefined;
  const { check, subject, severity, peakSeverity, summary, firstSeen, lastSeen, epochs, persistent, notifiedAt } = raw;
  if (!isName(check) || !isName(subject) || !isSeverity(severity) || (peakSeverity !== undefined && !isSeverity(peakSeverity))) return undefined;
  if (!isString(summary) || !isNumber(firstSeen) || !isNumber(lastSeen) || !isWholeAtLeast(epochs, 1) || !isBoolean(persistent)) return undefined;
  if (notifiedAt !== undefined && !isNumber(notifiedAt)) return undefined;
  return {
    check,
    subject,
    severity,
    ...(peakSeverity === undefined ? {} : { peakSeverity }),
    summary,
    firstSeen,
    lastSeen,
    epochs,
    persistent,
    ...(notifiedAt === undefined ? {} : { notifiedAt }),
  };
}

function validEpochSummary(raw: unknown): EpochSummary | undefined {
  if (!isObject(raw)) return undefined;
  const { id, startedAt, metaLeaders, knownServers } = raw;
  if (!isWholeAtLeast(id, 1) || !isNumber(startedAt)) return undefined;
  if (!isRecordOf(metaLeaders, () => true, (leader) => leader === null || isString(leader))) return undefined;
  if (knownServers !== undefined && !isArrayOf(knownServers, isString)) return undefined;
  return {
    id,
    startedAt,
    metaLeaders: { ...(metaLeaders as Record<string, string | null>) },
    // zod's `.readonly()` freezes what it returns.
    ...(knownServers === undefined ? {} : { knownServers: Object.freeze([...(knownServers as string[])]) }),
  };
}

function validAll<T>(raw: unknown, valid: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const items: T[] = [];
  for (const item of raw) {
    const read = valid(item);
    if (read === undefined) return undefined;
    items.push(read);
  }
  return items;
}

/** {@link auditStateSchema}'s result by plain tests, or undefined, and the schema then decides and words the issue. */
export function validAuditState(raw: unknown): AuditState | undefined {
  if (!isObject(raw)) return undefined;
  const { revision, epoch, load, consumerCountersEpoch } = raw;
  if (!isCount(revision) || !isCount(epoch) || (consumerCountersEpoch !== undefined && !isCount(consumerCountersEpoch))) return undefined;
  const open = validAll(raw['open'], validOpenFinding);
  const history = validAll(raw['history'], validEpochSummary);
  const snapshot = load === undefined ? undefined : validEncodedSnapshot(load);
  if (open === undefined || history === undefined || (load !== undefined && snapshot === undefined)) return undefined;
  return {
    revision,
    epoch,
    open,
    history,
    ...(snapshot === undefined ? {} : { load: snapshot }),
    ...(consumerCountersEpoch === undefined ? {} : { consumerCountersEpoch }),
  };
}

/** One cluster's state read at a boundary (the state file, a DynamoDB item): valid, or why not. */
export function readAuditState(raw: unknown): z.ZodSafeParseResult<AuditState> {
  return readPlainFirst(raw, validAuditState, auditStateSchema);
}

export function emptyState(): AuditState {
  return { revision: 0, epoch: 0, open: [], history: [] };
}
