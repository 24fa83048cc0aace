/**
 * Vitest side of lib/local-cluster: start a real cluster for a suite and
 * make sure it is disposed. A missing nats-server makes the suite fail with
 * the install instructions, in CI and locally alike: no test is ever
 * skipped for want of a binary.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../lib/local-cluster/index.js';

export type ClusterOptions = Omit<LocalClusterOptions, 'size'>;

/**
 * How long a test waits, after healing a partition that cut off the meta
 * leader, for every server to name one leader and count every member again.
 * On nats-server 2.9.10 after a ~40 s partition that took 5.5 to 19.5 s in
 * 11 runs, and more than 30 s in 2 runs of about 15 (the earlier bound, and
 * twice a failed CI run): the servers agreed on a leader that counted 2 of 3
 * members for the rest of the wait. Waited for, never slept.
 */
export const HEALED_META_TIMEOUT_MS = 90_000;

/** A test that partitions, heals and then waits {@link HEALED_META_TIMEOUT_MS}: room for all three. */
export const HEALING_TEST_TIMEOUT_MS = 240_000;

/** Server log lines printed per server when a test using the cluster fails. */
const LOG_LINES_ON_FAILURE = 30;
/** Start plus first meta election (30 s), plus up to 50 s more when silent servers had to be restarted (meta-settling.ts). */
const START_HOOK_TIMEOUT_MS = 100_000;

/** Write the tail of every server's log to stderr, for a failure that needs explaining. */
export function printClusterLogs(cluster: LocalCluster, why: string): void {
  for (const server of cluster.servers) {
    const lines = cluster.lastLogLines(server.name, LOG_LINES_ON_FAILURE);
    process.stderr.write(`\n--- ${cluster.name}/${server.name} (${server.state}), ${why}: last log lines ---\n${lines.join('\n')}\n`);
  }
}

/**
 * Start a cluster; when the start fails (a meta group that never settles,
 * a server that exits), the tail of every server's log goes to stderr first,
 * since the failed cluster is disposed before anyone could read it.
 */
async function startWithLogs(size: number, options: ClusterOptions): Promise<LocalCluster> {
  const tails = new Map<string, string[]>();
  const onLog = (line: string): void => {
    options.onLog?.(line);
    const server = /^\[([^\]]+)\]/.exec(line)?.[1] ?? '?';
    const tail = tails.get(server) ?? [];
    tail.push(line);
    if (tail.length > LOG_LINES_ON_FAILURE) tail.shift();
    tails.set(server, tail);
  };
  try {
    return await startLocalCluster({ ...options, size, onLog });
  } catch (err) {
    for (const [server, lines] of tails) process.stderr.write(`\n--- ${server}, the cluster start failed: last log lines ---\n${lines.join('\n')}\n`);
    throw err;
  }
}

/**
 * Start a `size`-server cluster before the suite's tests and dispose it
 * after them; returns an accessor for use inside tests. When a test fails,
 * the tail of every server's log goes to stderr.
 */
export function useCluster(size: number, options: ClusterOptions = {}): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    cluster = await startWithLogs(size, options);
  }, START_HOOK_TIMEOUT_MS);
  afterEach((context) => {
    if (cluster && context.task.result?.state === 'fail') printClusterLogs(cluster, `after "${context.task.name}" failed`);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });
  return () => {
    if (!cluster) throw new Error('the cluster is not running: its beforeAll hook failed or has not run yet');
    return cluster;
  };
}

/** Run `body` against a fresh cluster that is disposed afterwards, whatever happens. */
export async function withCluster<T>(
  size: number,
  body: (cluster: LocalCluster) => Promise<T>,
  options: ClusterOptions = {},
): Promise<T> {
  const cluster = await startWithLogs(size, options);
  try {
    return await body(cluster);
  } catch (err) {
    printClusterLogs(cluster, `withCluster(${size}) failed`);
    throw err;
  } finally {
    await cluster.dispose();
  }
}
