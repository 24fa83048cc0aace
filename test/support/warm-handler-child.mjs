// One warm Lambda container: imports the bundled handler once and invokes it
// for every event the parent sends, as Lambda's runtime reuses a container.
// After each invocation it reports what the process holds, measured after a
// full GC so the heap figure is live data, not garbage waiting to be swept.
import { readdirSync, readlinkSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
let invocations = 0;

function holdings() {
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  // Every open descriptor, and those that are sockets (kept-alive HTTP agents included, which
  // getActiveResourcesInfo does not list once unref'd).
  const fds = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ''; // the descriptor readdir itself used, closed by now
    }
  });
  return {
    heapUsed,
    rss,
    fds: fds.length,
    sockets: fds.filter((target) => target.startsWith('socket:')).length,
    timers: process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length,
  };
}

process.on('message', async ({ id, event }) => {
  const context = { awsRequestId: `soak-${++invocations}`, getRemainingTimeInMillis: () => 60_000 };
  let reply;
  try {
    reply = { id, outcome: await handler(event, context) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  process.send({ ...reply, holdings: holdings() });
});
process.send({ ready: true, holdings: holdings() });
