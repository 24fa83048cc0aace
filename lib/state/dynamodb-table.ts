/**
 * The Lambda's state table, shared by the stores and the CDK stack so the two
 * cannot drift. One partition per cluster holds every item about it:
 *
 * | pk                  | sk                    | holds                                    |
 * |---------------------|-----------------------|------------------------------------------|
 * | `cluster#<key>`     | `state`               | the cluster's AuditState                 |
 * | `cluster#<key>`     | `lease`               | which invocation is auditing it now      |
 * | `cluster#<key>`     | `consumer-counters`   | consumer counters for delivery rates     |
 * | `cluster#<key>`     | `run#<scheduled ISO>` | one completed run: audit trail and idempotency marker |
 * | `environment#<env>` | `watchdog`            | what the environment's watchdog last announced |
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { normaliseScheduledTime } from './run-ledger.js';

export const STATE_TABLE = {
  /** Partition key, a string: `cluster#<clusterKey>`. */
  partitionKey: { name: 'pk', type: 'S' },
  /** Sort key, a string: `state`, `lease`, `consumer-counters` or `run#<scheduled time>`. */
  sortKey: { name: 'sk', type: 'S' },
  /** DynamoDB's TTL attribute (epoch seconds): run records and abandoned leases expire through it. */
  ttlAttribute: 'expiresAt',
} as const;

export const SORT_KEYS = {
  state: 'state',
  lease: 'lease',
  consumerCounters: 'consumer-counters',
  /** Prefix of run records; ISO times after it sort chronologically. */
  runPrefix: 'run#',
  watchdog: 'watchdog',
} as const;

export type ItemKey = Record<'pk' | 'sk', AttributeValue>;

export function clusterPartition(clusterKey: string): string {
  return `cluster#${clusterKey}`;
}

export function stateKey(clusterKey: string): ItemKey {
  return { pk: { S: clusterPartition(clusterKey) }, sk: { S: SORT_KEYS.state } };
}

export function leaseKey(clusterKey: string): ItemKey {
  return { pk: { S: clusterPartition(clusterKey) }, sk: { S: SORT_KEYS.lease } };
}

export function consumerCountersKey(clusterKey: string): ItemKey {
  return { pk: { S: clusterPartition(clusterKey) }, sk: { S: SORT_KEYS.consumerCounters } };
}

export function watchdogKey(environment: string): ItemKey {
  return { pk: { S: `environment#${environment}` }, sk: { S: SORT_KEYS.watchdog } };
}

export function runKey(clusterKey: string, scheduledTime: string): ItemKey {
  return { pk: { S: clusterPartition(clusterKey) }, sk: { S: runSortKey(scheduledTime) } };
}

/** `run#` plus the scheduled time in its one spelling; throws RangeError for a time that is not one. */
export function runSortKey(scheduledTime: string): string {
  return `${SORT_KEYS.runPrefix}${normaliseScheduledTime(scheduledTime)}`;
}

/** DynamoDB TTL wants epoch seconds; everything else here is epoch ms. */
export function ttlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1_000);
}
