import { readFileSync } from 'node:fs';
import type { LocalCluster } from '../../lib/local-cluster/index.js';
import { pollUntil } from '../../lib/util/poll.js';

/**
 * SIGSTOP returns before every thread of the server has stopped; on a loaded
 * machine a hung-server test that starts at once can still get an answer.
 * Pauses the server, then waits until the kernel reports the process stopped
 * (state `T` in /proc/PID/stat) so the test sees the hang it asked for.
 */
export async function pauseAndWait(cluster: LocalCluster, name: string, timeoutMs = 10_000): Promise<void> {
  cluster.pause(name);
  const pid = cluster.server(name).pid;
  if (pid === undefined) throw new Error(`${name} has no process to pause`);
  const stopped = await pollUntil(async () => (processState(pid) === 'T' ? true : undefined), { timeoutMs, intervalMs: 10 });
  if (!stopped) throw new Error(`${name} (pid ${pid}) was not stopped within ${timeoutMs} ms of SIGSTOP`);
}

/** The one-letter state after the parenthesised command name, which may itself hold spaces or parentheses. */
function processState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}
