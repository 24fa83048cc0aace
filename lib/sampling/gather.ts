/**
 * One epoch of gathering: connect to every configured server (each one a
 * vantage), send the system PINGs through each, and return what was heard.
 * Nothing here judges; failures become data in the sample. This file runs
 * the vantages in waves under the epoch's deadline; the configuration is in
 * gather-settings.ts, one vantage's session in vantage-session.ts, its JSZ
 * detail requests in detail-requests.ts.
 */
import { SAMPLE_TYPE, type RawSample, type RawVantage } from '../domain/raw-sample.js';
import { delay } from '../util/sleep.js';
import { loadConnectionSecrets, parseServerUrl, sanitizeUrl, urlSecrets } from './connection-options.js';
import { claimOnce } from './detail-requests.js';
import { ExpectedServers } from './expected-servers.js';
import { resolveSettings, type GatherConfig } from './gather-settings.js';
import { failedVantage, sampleVantage, type VantageContext } from './vantage-session.js';

export {
  GATHER_DEFAULTS,
  type AcceptGzip,
  GatherConfigError,
  type GatherConfig,
  type GatherProgressEvent,
  type JszDetail,
} from './gather-settings.js';

/** Time a task gets to wrap up after the epoch deadline before it is recorded as timed out. */
const SETTLE_GRACE_MS = 250;

export interface GatherDeps {
  /** Wall clock (epoch ms) for timestamps; durations always use the monotonic clock. */
  readonly now?: () => number;
}

/**
 * Gathers one sample. Rejects only for configuration errors
 * ({@link GatherConfigError}, `ConnectionOptionsError`) before any
 * connection is made; everything that goes wrong on the wire is in the result.
 */
export async function gather(config: GatherConfig, deps: GatherDeps = {}): Promise<RawSample> {
  const now = deps.now ?? Date.now;
  const settings = resolveSettings(config);
  const secrets = await loadConnectionSecrets(config.auth, config.tls);
  const allSecrets = [...secrets.secrets, ...urlSecrets(config.servers)];
  for (const url of config.servers) parseServerUrl(url);

  const startedAt = now();
  const t0 = performance.now();
  const epochDeadline = t0 + config.timeoutMs;
  const epoch = new AbortController();
  const epochTimer = setTimeout(() => epoch.abort(new Error('epoch deadline')), config.timeoutMs);
  const expected = new ExpectedServers(config.expectServers);
  const n = config.servers.length;
  // Later waves get the same share as the first, so a slow first wave cannot starve them.
  const share = config.timeoutMs / Math.max(1, Math.ceil(n / settings.concurrency));
  const results: (RawVantage | undefined)[] = new Array<RawVantage | undefined>(n);

  const ctx: VantageContext = {
    secrets,
    allSecrets,
    settings,
    expected,
    budget: { totalBytes: settings.maxSampleBytes, remaining: settings.maxSampleBytes },
    claimDetail: claimOnce(),
    epoch: epoch.signal,
    now,
    emit: (event) => {
      try {
        config.onProgress?.(event);
      } catch {
        // Progress is cosmetic; it must not break the sample.
      }
    },
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (!epoch.signal.aborted) {
      const i = next++;
      const url = config.servers[i];
      if (url === undefined) return;
      const deadline = Math.min(epochDeadline, performance.now() + share);
      results[i] = await sampleVantage(url, deadline, ctx);
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(settings.concurrency, n) }, worker));
  let finished = false;
  void all.then(() => (finished = true));
  await Promise.race([all, whenAborted(epoch.signal)]);
  if (!finished) await Promise.race([all, delay(SETTLE_GRACE_MS)]);
  clearTimeout(epochTimer);

  const vantages = config.servers.map(
    (url, i) =>
      results[i] ??
      failedVantage(sanitizeUrl(url), {
        kind: 'timeout',
        message: `${sanitizeUrl(url)}: not finished before the ${config.timeoutMs} ms gather deadline`,
      }),
  );
  return {
    type: SAMPLE_TYPE,
    startedAt,
    durationMs: performance.now() - t0,
    ...(config.expectServers === undefined ? {} : { expectServers: config.expectServers }),
    vantages,
  };
}

function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
