import { rmSync } from 'node:fs';

/**
 * Last-resort cleanup when the Node process ends without disposing its
 * clusters (a crashed or interrupted test run): SIGKILL every server still
 * alive, stopped ones included, and drop their temp dirs. One set of
 * listeners for the whole process, however many clusters come and go.
 */
const livePids = new Set<number>();
const liveDirs = new Set<string>();
let installed = false;

function reapAll(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  livePids.clear();
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a server may still be writing for the instant before SIGKILL lands
    }
  }
  liveDirs.clear();
}

// Node ends the process on these without running 'exit' listeners when
// nobody listens for them. Listening changes that, so this listener
// finishes the job (reap, then die of the same signal) unless the
// application has its own listener, which then decides, and disposes.
const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  reapAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', reapAll);
  for (const signal of TERMINATING_SIGNALS) process.on(signal, onSignal);
}

export function trackChild(pid: number): void {
  install();
  livePids.add(pid);
}

export function untrackChild(pid: number): void {
  livePids.delete(pid);
}

export function trackDir(dir: string): void {
  install();
  liveDirs.add(dir);
}

export function untrackDir(dir: string): void {
  liveDirs.delete(dir);
}
