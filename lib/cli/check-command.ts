import { defaultRegistry, type CheckRegistry } from '../checks/index.js';
import { parseCheckConfig, type CheckConfig } from '../config/check-config.js';
import { gatherForEpoch } from '../epoch/gather-cluster.js';
import { runEpoch, type EpochResult, type SampleWants } from '../epoch/run-epoch.js';
import { EXIT_CODES, type Report } from '../epoch/report.js';
import { formatOpenMetrics } from '../report/openmetrics.js';
import { formatText } from '../report/text-report.js';
import type { Observation } from '../observation/types.js';
import type { MetricsServer } from './metrics-server.js';
import { sanitizeUrl } from '../sampling/connection-options.js';
import type { RawSample } from '../domain/raw-sample.js';
import { FileStateStore } from '../state/file-state-store.js';
import { MemoryStateStore, StateConflictError } from '../state/state-store.js';
import { AuditUnavailableError, ConfigError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import type { CommandIo } from './io.js';

// The HTML page, the sample-file reader and the metrics server (node:http)
// are imported where a flag asks for them: a plain `check` from cron or
// Nagios, started as a whole process each time, should not read them.

/** `nats-audit check`: one epoch (or one every --watch seconds); exit code by the worst finding (0 for printed metrics). */
export async function checkCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const registry = defaultRegistry();
  const config = parseCheckConfig(argv, io.env, registry);
  const store = config.statePath ? new FileStateStore(config.statePath) : new MemoryStateStore();
  const format = config.format;
  if (config.fleetPath !== undefined) {
    if (config.watchSeconds !== undefined) throw new ConfigError('--watch', 'cannot be combined with --fleet (the scheduled auditor runs fleets)');
    if (format === 'html') throw new Error('unreachable: parseCheckConfig refuses html with --fleet');
    if (format === 'openmetrics') throw new ConfigError('--format', 'openmetrics cannot be combined with --fleet yet: audit each cluster with --servers, one exposition each');
    // Only --fleet reads secrets through the AWS SDK: a plain check never loads it.
    const { checkFleet } = await import('./fleet-check.js');
    return checkFleet(config, registry, store, (report) => render(report, format), io);
  }
  const source = sampleSource(config, registry);
  const clusterKey = config.clusterName ?? source.defaultKey;

  const epoch = () =>
    runEpoch({
      sample: source.next,
      store,
      clusterKey,
      registry,
      checks: config.checks,
      persistence: config.persistence,
      ...(config.samplePath === undefined ? { loadDetailEvery: config.loadDetailEvery, consumerCounters: store } : {}),
      // A saved sample cannot change: nothing to confirm.
      ...(config.samplePath === undefined ? { confirm: { delayMs: config.confirmDelayMs, signal: io.signal } } : {}),
    });

  if (config.watchSeconds === undefined) {
    const result = await epoch();
    if (format === 'html') {
      const { htmlPage } = await import('./html-page.js');
      io.stdout(await htmlPage(result, { store, clusterKey, checks: config.checks }));
      return EXIT_CODES[result.report.status];
    }
    const { report, observation } = seen(result);
    io.stdout(render(report, format, observation));
    return exitCodeOf(report, format);
  }
  if (format === 'html') throw new Error('unreachable: parseCheckConfig refuses html with --watch');
  const watchFormat = format;

  const metrics = config.metricsListen && (await (await import('./metrics-server.js')).startMetricsServer(config.metricsListen, '--metrics-listen'));
  if (metrics) io.stderr(`serving metrics on ${metrics.url}\n`);
  try {
    return await watch(config.watchSeconds, metrics);
  } finally {
    await metrics?.close();
  }

  async function watch(seconds: number, server: MetricsServer | undefined): Promise<number> {
    let exitCode: number = EXIT_CODES.unknown;
    let lastEpochEndMs: number | undefined;
    for (;;) {
      const started = Date.now();
      try {
        const { report, observation } = seen(await epoch());
        io.stdout(render(report, watchFormat, observation));
        server?.update(formatOpenMetrics([{ cluster: clusterKey, report, observation }]));
        lastEpochEndMs = Date.parse(report.epoch.startedAt) + report.epoch.durationMs;
        exitCode = exitCodeOf(report, watchFormat);
      } catch (error) {
        // A watch outlives a passing outage of the audit itself (a credential
        // rotation, a restarted auditor host); each such epoch reads UNKNOWN.
        if (!(error instanceof AuditUnavailableError || error instanceof StateConflictError)) throw error;
        io.stderr(`UNKNOWN ${clusterKey}: ${error.message}\n`);
        // The last judged epoch's time stays, so a staleness rule sees the outage.
        server?.update(formatOpenMetrics([{ cluster: clusterKey, lastEpochEndMs }]));
        exitCode = EXIT_CODES.unknown;
      }
      if (io.signal.aborted) return exitCode;
      // Epochs never overlap: the next starts a full interval after this one started, or at once if it overran.
      await sleep(Math.max(0, seconds * 1000 - (Date.now() - started)), io.signal);
      if (io.signal.aborted) return exitCode;
    }
  }
}

/**
 * As natscli's `--format prometheus`: metrics that were written exit 0, the
 * status is in them. `check --format openmetrics > f.tmp && mv f.tmp f.prom`
 * must replace the textfile collector's file above all when the cluster is
 * critical; only an audit that could not run (exit 3, nothing printed)
 * leaves the old file to go stale.
 */
function exitCodeOf(report: Report, format: CheckConfig['format']): number {
  return format === 'openmetrics' ? EXIT_CODES.ok : EXIT_CODES[report.status];
}

/** The report and, when the servers were asked, what they said (the CLI never turns a failure into a report). */
function seen(result: EpochResult): { report: Report; observation?: Observation } {
  return result.failed ? { report: result.report } : { report: result.report, observation: result.observation };
}

function render(report: Report, format: Exclude<CheckConfig['format'], 'html'>, observation?: Observation): string {
  if (format === 'openmetrics') return formatOpenMetrics([{ cluster: report.cluster, report, observation }]);
  return format === 'json' ? `${JSON.stringify(report)}\n` : formatText(report);
}

function sampleSource(config: CheckConfig, registry: CheckRegistry): { next: (wants?: SampleWants) => Promise<RawSample>; defaultKey: string } {
  if (config.samplePath !== undefined) {
    const path = config.samplePath;
    let loaded: Promise<RawSample> | undefined;
    return {
      next: () => (loaded ??= import('../sampling/sample-file.js').then(({ readSampleFile }) => readSampleFile(path))),
      defaultKey: `sample:${path}`,
    };
  }
  const connection = config.connection!;
  return {
    next: (wants) =>
      gatherForEpoch(connection, { auth: connection.auth, tls: connection.tls, registry, checks: config.checks, ...(wants ? { wants } : {}) }),
    defaultKey: connection.servers.map(sanitizeUrl).sort().join(','),
  };
}
