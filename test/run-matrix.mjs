// `npm test` after the type check: the unit suite on each Node.js the
// project tests (the machine's and the Lambda's 24), then the integration
// suite against each real nats-server version this machine has (the
// system's, plus Debian trixie's and sid's as `.ci/fetch-nats-servers`
// leaves them), one run after another: each run starts real clusters and
// two at once would starve each other's Raft timers on a 2-core machine.
//
// Prints a summary per run, each failed test by name and first error line,
// and, last, a plain `N passed, N failed` line.
// With CI=true a missing server or Node is a failure; elsewhere it is
// reported as not run. NATS_SERVER_BIN set: only that server.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CI = process.env.CI === 'true' || process.env.CI === '1';

/** Integration files that start no nats-server: run once, on the first server, not per version. */
const SERVERLESS_FILES = [
  'check-startup-files.test.ts',
  'code-cache.test.ts',
  'dynamodb-state-store.test.ts',
  'infra-app.test.ts',
  'infra-bundle.test.ts',
  'secret-reader.test.ts',
  'sns-notifier.test.ts',
];

/**
 * The files whose subject differs by server version (route pooling, RAFTZ,
 * stale-leader terms, leader counts, step-down placement, the demo's
 * narration, elections and heals). 2.10 runs only these, one file at a time:
 * on this 2-core machine, two 2.10.27 clusters at once were seen to miss the
 * harness's start-up budget now and then.
 */
const VERSION_SENSITIVE_FILES = [
  'audit-auto-rebalance-load.test.ts',
  'check-epochs.test.ts',
  'check-meta-partition.test.ts',
  'check-topology.test.ts',
  'demo.test.ts',
  'elections-never-page.test.ts',
  'faults.test.ts',
  'gather-counts-only.test.ts',
  'gather.test.ts',
  'leader-load.test.ts',
  'local-cluster.test.ts',
  'ping.test.ts',
  'rebalance-operator.test.ts',
  'rebalance.test.ts',
];

/**
 * Debian suites `.ci/fetch-nats-servers` fetches, in the order they run.
 * trixie's 2.10.x runs the version-sensitive files only, one at a time, to
 * keep the matrix inside CI's budget; sid's runs every file that starts a
 * server.
 */
const FETCHED_SUITES = [
  { suite: 'trixie', label: 'Debian trixie', files: VERSION_SENSITIVE_FILES, sequential: true },
  { suite: 'sid', label: 'Debian sid, the newest packaged release' },
];

/**
 * The Lambda's runtime: NATS_AUDIT_LAMBDA_NODE, or what .ci/install-lambda-node
 * fetched ("<version> <path>" in its marker), as test/support/lambda-node.ts
 * finds it; the runs below are given the path so both agree.
 */
function lambdaNodeBinary() {
  const override = process.env.NATS_AUDIT_LAMBDA_NODE?.trim();
  if (override) return override;
  const dir = process.env.NATS_AUDIT_NODE_DIR || join(homedir(), '.cache', 'nats-audit', 'node');
  try {
    return readFileSync(join(dir, 'lambda.path'), 'utf8').trim().split(' ')[1];
  } catch {
    return undefined;
  }
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function versionOf(binary, args) {
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return /v?(\d+\.\d+\.\d+\S*)/.exec(result.stdout)?.[1];
}

/** The system's nats-server, as lib/local-cluster/find-nats-server.ts looks for it. */
function systemServer() {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir.length > 0 && !dir.includes('node_modules'))
    .map((dir) => join(dir, 'nats-server'));
  return [...onPath, '/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'].find(isExecutable);
}

/** Servers to run the integration suite against, and what is missing. */
function servers() {
  const override = process.env.NATS_SERVER_BIN?.trim();
  if (override) {
    const version = isExecutable(override) ? versionOf(override, ['--version']) : undefined;
    if (!version) return { found: [], missing: [`NATS_SERVER_BIN=${override} is not a nats-server binary`] };
    return { found: [{ binary: override, version, label: 'NATS_SERVER_BIN' }], missing: [] };
  }
  const found = [];
  const missing = [];
  const system = systemServer();
  const systemVersion = system && versionOf(system, ['--version']);
  if (systemVersion) found.push({ binary: system, version: systemVersion, label: 'the system package' });
  else missing.push('the system nats-server (run: bash .ci/install-nats-server)');
  const dir = process.env.NATS_AUDIT_SERVERS_DIR ?? join(homedir(), '.cache', 'nats-audit', 'servers');
  for (const { suite, label } of FETCHED_SUITES) {
    let binary;
    try {
      // "<version> <path>", written by .ci/fetch-nats-servers.
      binary = readFileSync(join(dir, `${suite}.path`), 'utf8').trim().split(' ')[1];
    } catch {
      binary = undefined;
    }
    const version = binary && isExecutable(binary) ? versionOf(binary, ['--version']) : undefined;
    if (!version) missing.push(`nats-server from ${label} (run: bash .ci/fetch-nats-servers ${suite})`);
    else if (!found.some((s) => s.version === version)) found.push({ binary, version, label, files: FETCHED_SUITES.find((f) => f.suite === suite)?.files, sequential: FETCHED_SUITES.find((f) => f.suite === suite)?.sequential });
  }
  return { found, missing };
}

/** Node.js binaries for the unit suite: the one npm runs on, and the Lambda's. */
function nodes() {
  const found = [];
  const missing = [];
  // npm names the Node it runs on in NODE.
  const machine = process.env.NODE || process.env.npm_node_execPath || process.execPath;
  found.push({ binary: machine, version: versionOf(machine, ['--version']) ?? process.version.slice(1), label: 'this machine' });
  const binary = lambdaNodeBinary();
  const lambda = binary && isExecutable(binary) ? versionOf(binary, ['--version']) : undefined;
  if (!lambda) missing.push('Node.js 24, the Lambda runtime (run: bash .ci/install-lambda-node)');
  else if (!found.some((n) => n.version === lambda)) found.push({ binary, version: lambda, label: 'the Lambda runtime' });
  return { found, missing, lambda: lambda ? binary : undefined };
}

function integrationFiles(withServer) {
  return readdirSync(join(ROOT, 'test', 'integration'))
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => withServer || !SERVERLESS_FILES.includes(f))
    .sort()
    .map((f) => `test/integration/${f}`);
}

/** One vitest run; its counts come from test/support/summary-reporter.ts through a file. */
function run(title, node, args, env) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const scratch = mkdtempSync(join(tmpdir(), 'nats-audit-matrix-'));
  const summaryFile = join(scratch, 'summary.json');
  try {
    const result = spawnSync(node, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, ...LAMBDA_ENV, ...env, NATS_AUDIT_TEST_SUMMARY: summaryFile },
    });
    let counts;
    try {
      counts = JSON.parse(readFileSync(summaryFile, 'utf8'));
    } catch {
      counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
    }
    // A run that crashed before reporting, or failed outside any test, must not pass.
    if (result.status !== 0 && counts.failed === 0) {
      counts.failed = 1;
      counts.failures = [{ file: '(none)', test: '(vitest itself)', error: `exited ${result.status ?? result.signal} without a failed test` }];
    }
    return { title, ...counts };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const results = [];
const notRun = [];

const nodeSet = nodes();
/** Every run finds the Lambda runtime where this script did. */
const LAMBDA_ENV = nodeSet.lambda ? { NATS_AUDIT_LAMBDA_NODE: nodeSet.lambda } : {};
notRun.push(...nodeSet.missing);
for (const node of nodeSet.found) {
  results.push(run(`unit tests on Node.js ${node.version} (${node.label})`, node.binary, ['--project', 'unit'], {}));
}

const serverSet = servers();
notRun.push(...serverSet.missing);
for (const [i, server] of serverSet.found.entries()) {
  const files = server.files ? server.files.map((f) => `test/integration/${f}`) : integrationFiles(i === 0);
  const scope = server.files ? `, the ${files.length} version-sensitive files one at a time` : '';
  results.push(
    run(`integration tests on nats-server ${server.version} (${server.label}${scope})`, nodeSet.found[0].binary, ['--project', 'integration', ...files], {
      NATS_SERVER_BIN: server.binary,
      ...(server.sequential ? { NATS_AUDIT_INTEGRATION_WORKERS: '1' } : {}),
    }),
  );
}

process.stdout.write('\n=== test matrix ===\n');
for (const r of results) {
  process.stdout.write(`${r.failed === 0 ? 'ok  ' : 'FAIL'} ${r.title}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped\n`);
}
for (const what of notRun) process.stdout.write(`${CI ? 'FAIL' : 'not run:'} ${what}\n`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0) + (CI ? notRun.length : 0);
// Named again here, at the very end, because a CI log is often read only by its tail.
for (const r of results.filter((r) => r.failures.length > 0)) {
  process.stdout.write(`\nfailed in ${r.title}:\n`);
  for (const f of r.failures) process.stdout.write(`  ${f.file} > ${f.test}\n    ${f.error}\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
