import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import type { LocalCluster } from '../../lib/local-cluster/index.js';
import type { Report } from '../../lib/epoch/report.js';

const CLI = resolve('dist/bin/nats-audit.js');

/** The default state file lives under XDG_STATE_HOME: point it at a scratch dir, never the user's home. */
const stateHome = mkdtempSync(join(tmpdir(), 'nats-audit-state-'));
afterAll(() => rmSync(stateHome, { recursive: true, force: true }));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI as a child process with only the given environment
 * (plus PATH), bounded in time: a hung CLI fails the test instead of the run.
 * `node`: another Node.js binary than the one running the tests.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number; nodeArgs?: readonly string[]; node?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: stateHome, XDG_STATE_HOME: stateHome, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-audit ${args.join(' ')} did not exit within ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** System-account credentials passed the way an operator's environment would. */
export function systemEnv(cluster: LocalCluster): Record<string, string> {
  return { NATS_URL: cluster.urls.join(','), NATS_USER: cluster.system.user, NATS_PASSWORD: cluster.system.password };
}

/** One epoch through the CLI with --format json; returns the report and the exit code. */
export async function checkJson(
  args: readonly string[],
  env: Record<string, string>,
  nodeArgs?: readonly string[],
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const result = await runCli(['check', '--format', 'json', ...args], { env, nodeArgs });
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`check printed no JSON report (exit ${result.code})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return { code: result.code, report, stderr: result.stderr };
}

/** A temporary directory removed after the suite. */
export function useTempDir(prefix = 'nats-audit-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
