import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concentrateLeaders, createReplicatedStreams } from '../../lib/local-cluster/index.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE } from '../../lib/report/openmetrics.js';
import { pollUntil } from '../../lib/util/poll.js';
import { useCluster } from '../support/cluster.js';
import { runCli, systemEnv, useTempDir } from '../support/cli.js';
import { parseExposition, type ExpositionSample } from '../support/exposition.js';

const CLI = resolve('dist/bin/nats-audit.js');
const STREAMS = 4;
/** Budget for the watch's first epoch to be served, and for it to exit after SIGTERM. */
const SERVE_BUDGET_MS = 30_000;

/** Polls until `probe` gives a value; throws naming what never came. */
async function waitFor<T>(probe: () => Promise<T | undefined>, what: () => string): Promise<T> {
  const found = await pollUntil(probe, { timeoutMs: SERVE_BUDGET_MS });
  if (found === undefined) throw new Error(`not within ${SERVE_BUDGET_MS} ms: ${what()}`);
  return found;
}

function value(samples: readonly ExpositionSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** `check --watch 1 --metrics-listen 0` as its own process, with what it wrote to stderr so far and the URL it announced. */
function watchServing(dir: string, cluster: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'check', '--watch', '1', '--timeout', '2000', '--metrics-listen', '0', '--cluster', cluster, '--state', join(dir, `${cluster}.json`)], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    url: () => waitFor(async () => /serving metrics on (\S+)/.exec(stderr)?.[1], () => `the metrics URL on stderr (${stderr})`),
  };
}

describe('check --format openmetrics and --metrics-listen on a real 3-node cluster', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();
  let streamsCreated = false;
  async function withStreams() {
    const c = cluster();
    if (!streamsCreated) {
      await c.waitForMetaLeader();
      const app = await c.connect({ as: 'app' });
      try {
        const streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 1 });
        // Placement is random before 2.11: spread the leaders so the cluster is healthy.
        const names = c.servers.map((s) => s.name);
        for (const [i, server] of names.entries()) {
          await concentrateLeaders(app, { onto: server, streams: streams.filter((_, k) => k % names.length === i), consumers: true });
        }
      } finally {
        await app.close();
      }
      streamsCreated = true;
    }
    return c;
  }

  it('prints one valid exposition that promtool accepts, with every server and its leaders', async () => {
    // Prepare
    const c = await withStreams();

    // Act
    const result = await runCli(['check', '--format', 'openmetrics', '--cluster', 'prod "eu"\\1', '--state', join(dir, 'once.json')], { env: systemEnv(c) });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const samples = parseExposition(result.stdout);
    const cluster = { cluster: 'prod "eu"\\1' };
    expect(value(samples, 'nats_audit_servers_answering', cluster)).toBe(3);
    expect(value(samples, 'nats_audit_servers_expected', cluster)).toBe(3);
    expect(value(samples, 'nats_audit_last_epoch_timestamp_seconds', cluster)).toBeGreaterThan(Date.now() / 1000 - 120);
    const status = samples.filter((s) => s.name === 'nats_audit_status_code');
    expect(status).toEqual([expect.objectContaining({ labels: { ...cluster, status: 'ok' }, value: 0 })]);
    const open = samples.filter((s) => s.name === 'nats_audit_findings' && s.value !== 0);
    expect(open).toEqual([]);
    const leaders = samples.filter((s) => s.name === 'nats_audit_server_leaders');
    expect(new Set(leaders.map((s) => s.labels.server))).toEqual(new Set(c.servers.map((s) => s.name)));
    const byKind = (kind: string) => leaders.filter((s) => s.labels.kind === kind).reduce((sum, s) => sum + s.value, 0);
    // Every R3 stream and its consumer is led by exactly one server.
    expect(byKind('stream')).toBe(STREAMS);
    expect(byKind('consumer')).toBe(STREAMS);
    expect(new Set(leaders.map((s) => s.labels.nats_cluster))).toEqual(new Set([c.name]));
    await lintWithPromtool(result.stdout);
  });

  it('serves /metrics on loopback between epochs and closes cleanly on SIGTERM', async () => {
    // Prepare
    const c = await withStreams();
    const watched = watchServing(dir, 'watched', systemEnv(c));
    const { child, exited } = watched;
    try {
      const url = await watched.url();
      // A bare port binds loopback.
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

      // Act
      const scraped = await waitFor(
        async () => {
          const res = await fetch(url, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
          return res.status === 200 ? { type: res.headers.get('content-type'), body: await res.text() } : undefined;
        },
        () => `a first epoch served on /metrics (stderr: ${watched.stderr()})`,
      );
      const plain = await fetch(url);
      const elsewhere = await fetch(new URL('/', url));
      const posted = await fetch(url, { method: 'POST' });

      // Assess
      expect(scraped.type).toBe(OPENMETRICS_CONTENT_TYPE);
      expect(plain.headers.get('content-type')).toBe(PROMETHEUS_TEXT_CONTENT_TYPE);
      expect(parseExposition(await plain.text()).length).toBeGreaterThan(0);
      expect(elsewhere.status).toBe(404);
      expect(posted.status).toBe(405);
      const samples = parseExposition(scraped.body);
      expect(value(samples, 'nats_audit_servers_answering', { cluster: 'watched' })).toBe(3);
      expect(samples.filter((s) => s.name === 'nats_audit_server_leaders').reduce((sum, s) => sum + s.value, 0)).toBe(2 * STREAMS);
      await lintWithPromtool(scraped.body);

      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((res) => setTimeout(() => res('hung'), SERVE_BUDGET_MS))]);
      expect(code).not.toBe('hung');
      expect(code).toBe(0);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  });

  it('serves status unknown while the audit cannot run (refused credentials), claiming no epoch', async () => {
    // Prepare
    const c = cluster();
    const watched = watchServing(dir, 'refused', { ...systemEnv(c), NATS_PASSWORD: 'not-the-password' });
    const { child, exited } = watched;
    try {
      const url = await watched.url();

      // Act
      const body = await waitFor(async () => {
        const res = await fetch(url);
        return res.status === 200 ? res.text() : undefined;
      }, () => `an exposition on /metrics (stderr: ${watched.stderr()})`);

      // Assess
      expect(parseExposition(body).map((s) => [s.name, s.labels, s.value])).toEqual([['nats_audit_status_code', { cluster: 'refused', status: 'unknown' }, 3]]);
      expect(watched.stderr()).toMatch(/UNKNOWN refused: /);
      expect(watched.stderr()).not.toContain('not-the-password');
      child.kill('SIGTERM');
      expect(await exited).toBe(3);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});

describe('check --metrics-listen: bad addresses are configuration errors (exit 3)', () => {
  const env = { NATS_URL: 'nats://127.0.0.1:1', NATS_USER: 'sys', NATS_PASSWORD: 'pw' };
  const cases: [string[], RegExp][] = [
    [['--watch', '5', '--metrics-listen', ':9464'], /^nats-audit check: --metrics-listen: needs a host before the colon/],
    [['--watch', '5', '--metrics-listen', 'example.com:9464'], /--metrics-listen: the host must be an IPv4 address, \[IPv6\] or localhost \(got "example.com:9464"\)/],
    [['--watch', '5', '--metrics-listen', '127.0.0.1:70000'], /--metrics-listen: port must be a whole number from 0 to 65535/],
    [['--metrics-listen', '9464'], /--metrics-listen: needs --watch/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const result = await runCli(['check', ...args], { env });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    });
  }

  it('a port already taken', async () => {
    // Prepare
    const taken: Server = createServer();
    await new Promise<void>((res) => taken.listen(0, '127.0.0.1', res));
    const port = (taken.address() as { port: number }).port;
    try {
      // Act
      const result = await runCli(['check', '--watch', '5', '--metrics-listen', `127.0.0.1:${port}`], { env });

      // Assess
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`^nats-audit check: --metrics-listen: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      await new Promise((res) => taken.close(res));
    }
  });
});

/** promtool's own reading of the text format, with its naming lints. */
async function lintWithPromtool(text: string): Promise<void> {
  const child = execFile('promtool', ['check', 'metrics']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((res, rej) => {
    child.on('error', (e) => rej(new Error(`promtool: ${e.message} (apt-get install -y prometheus)`)));
    child.on('close', res);
  });
  child.stdin?.end(text);
  const code = await closed;
  expect(out, 'promtool check metrics').toBe('');
  expect(code).toBe(0);
}
