import { sleep } from './sleep.js';

export interface PollOptions {
  readonly timeoutMs: number;
  /** @default 100 */
  readonly intervalMs?: number;
}


/**
 * Call `probe` until it returns a value other than undefined or the deadline
 * passes; returns undefined on timeout so callers can raise an error that
 * says what they were waiting for. A probe that throws aborts the wait.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(interval, left));
  }
}
