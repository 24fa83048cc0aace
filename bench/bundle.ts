/**
 * Target 4: the Lambda bundle. functions/audit.ts is bundled with the esbuild
 * options the CDK asset is built with (auditBundleOptions in
 * lib/infra/audit-bundle.ts: ESM split into index.mjs and on-demand chunks,
 * node20, main fields module,main, the createRequire banner, minify, source
 * maps without sources content, the AWS SDK inside); an empty handler is
 * bundled the same way. Cold start is then measured in fresh node processes,
 * the two alternating, with the function's NODE_OPTIONS (AUDIT_NODE_OPTIONS)
 * set as Lambda sets them.
 *
 * What "init" covers: `import()` of the bundle, then one `handler()` call
 * whose event fails validation. That call runs the module's whole
 * initialisation (reading and validating the environment, building the
 * DynamoDB and Secrets Manager clients, the check registry, the handler)
 * and returns before any network I/O, so it is the part a cold start adds
 * to the first invocation, without the epoch itself. The SNS client is not
 * in it: the function loads it when an epoch first has something to publish.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { AUDIT_NODE_OPTIONS, auditBundleOptions } from '../lib/infra/audit-bundle.js';
import { findLambdaNode } from '../test/support/lambda-node.js';
import { median } from './stats.js';

/** What the function ran with before: measured beside the real settings, so the report shows its cost. */
const SOURCE_MAPS_FLAG = '--enable-source-maps';

/** The CDK asset's bundling, plus what the bench reads back. */
function lambdaBundling(entry: string, outdir: string): BuildOptions {
  return {
    ...auditBundleOptions(entry, outdir),
    // For the stand-in entries written to a temp dir: resolve packages from the project.
    nodePaths: [join(process.cwd(), 'node_modules')],
    metafile: true,
  };
}

export interface BundleOptions {
  readonly repetitions: number;
}

export interface BundleResult {
  /** All the function's code: index.mjs and every chunk. */
  readonly bytes: number;
  /** What a cold start imports: index.mjs and the chunks it imports statically. */
  readonly startupBytes: number;
  readonly files: number;
  readonly startupFiles: number;
  readonly mapBytes: number;
  readonly emptyBytes: number;
  readonly buildMs: number;
  /** Largest inputs by bytes in the minified output, all files. */
  readonly topInputs: readonly { readonly path: string; readonly bytes: number }[];
  /** Medians, import + init in the child (ms). */
  readonly auditInitMs: number;
  readonly emptyInitMs: number;
  /** A handler that only imports nats and builds the DynamoDB and Secrets Manager clients: the dependencies' share. */
  readonly depsInitMs: number;
  readonly depsBytes: number;
  readonly auditImportMs: number;
  /** Same with --enable-source-maps added, as the function ran before. */
  readonly auditInitSourceMapsMs: number;
  /** Whole child process, spawn to exit. */
  readonly auditProcessMs: number;
  readonly emptyProcessMs: number;
  /** The Node.js that ran the cold starts: the Lambda runtime where installed, else the bench's own. */
  readonly runtime: string;
  readonly auditRuns: readonly number[];
  readonly emptyRuns: readonly number[];
}

const LAMBDA_ENV = {
  NATS_AUDIT_CLUSTERS: JSON.stringify([
    {
      name: 'bench',
      environment: 'bench',
      servers: ['nats://127.0.0.1:1'],
      credentialsSecret: 'nats-audit/bench',
      schedule: 'rate(1 minute)',
      timeoutMs: 5000,
      persistence: { epochs: 2, minSeconds: 0 },
      thresholds: {},
      skip: [],
      reminderMinutes: 0,
      notifyMinSeverity: 'warning',
      autoRebalance: { enabled: false, maxMovesPerEpoch: 10 },
    },
  ]),
  NATS_AUDIT_TABLE: 'nats-audit-bench',
  NATS_AUDIT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:nats-audit-findings',
  NATS_AUDIT_HISTORY_DAYS: '30',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
};

/** What every cold start needs besides our code: nats and the two SDK clients functions/audit.ts builds at init. */
const DEPS_HANDLER = `import { connect } from 'nats';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
let clients: unknown[] | undefined;
export async function handler(_event: unknown): Promise<object> {
  clients ??= [new DynamoDBClient({}), new SecretsManagerClient({}), connect];
  return {};
}
`;

/** Imports the bundle, calls the handler once with an invalid event, prints the timings. */
const PROBE = `
const t0 = performance.now();
const { handler } = await import(process.argv[1]);
const t1 = performance.now();
try { await handler({}, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 60000 }); } catch {}
const t2 = performance.now();
process.stderr.write('BENCH ' + JSON.stringify({ importMs: t1 - t0, initMs: t2 - t0 }) + '\\n');
`;

export async function measureBundle(opts: BundleOptions): Promise<BundleResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nats-audit-bench-bundle-'));
  try {
    const auditOut = join(dir, 'audit', 'index.mjs');
    const emptyOut = join(dir, 'empty', 'index.mjs');
    const emptyEntry = join(dir, 'empty-handler.ts');
    await writeFile(emptyEntry, 'export async function handler(_event: unknown): Promise<object> {\n  return {};\n}\n');
    const depsOut = join(dir, 'deps', 'index.mjs');
    const depsEntry = join(dir, 'deps-handler.ts');
    await writeFile(depsEntry, DEPS_HANDLER);
    const t0 = performance.now();
    const audit = await build(lambdaBundling(join(process.cwd(), 'functions', 'audit.ts'), dirname(auditOut)));
    const buildMs = performance.now() - t0;
    await build(lambdaBundling(emptyEntry, dirname(emptyOut)));
    const deps = await build(lambdaBundling(depsEntry, dirname(depsOut)));

    const code = codeOutputs(audit.metafile!);
    const startup = startupOutputs(audit.metafile!);
    const byPackage = new Map<string, number>();
    for (const [, info] of code) {
      for (const [path, input] of Object.entries(info.inputs)) {
        const key = packageOf(path);
        byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
      }
    }
    const topInputs = [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([path, bytes]) => ({ path, bytes }));

    const auditRuns: number[] = [];
    const emptyRuns: number[] = [];
    const auditImports: number[] = [];
    const auditSourceMaps: number[] = [];
    const auditProcess: number[] = [];
    const emptyProcess: number[] = [];
    const depsRuns: number[] = [];
    const withSourceMaps = [...AUDIT_NODE_OPTIONS, SOURCE_MAPS_FLAG];
    // Cold starts on the Lambda's runtime where it is installed (.ci/install-lambda-node).
    const lambda = findLambdaNode();
    const node = lambda ?? process.execPath;
    const runtime = `Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}${lambda === undefined ? ", the bench's own (the Lambda runtime is not installed)" : ', the Lambda runtime'}`;
    const probe = (bundle: string, nodeOptions: readonly string[]) => probeOn(node, bundle, nodeOptions);
    // One of each first, unmeasured: the OS file cache, as a warm Lambda host would have it.
    await probe(auditOut, AUDIT_NODE_OPTIONS);
    await probe(emptyOut, AUDIT_NODE_OPTIONS);
    for (let i = 0; i < opts.repetitions; i++) {
      const e = await probe(emptyOut, AUDIT_NODE_OPTIONS);
      emptyRuns.push(e.initMs);
      emptyProcess.push(e.processMs);
      const a = await probe(auditOut, AUDIT_NODE_OPTIONS);
      auditRuns.push(a.initMs);
      auditImports.push(a.importMs);
      auditProcess.push(a.processMs);
      auditSourceMaps.push((await probe(auditOut, withSourceMaps)).initMs);
      depsRuns.push((await probe(depsOut, AUDIT_NODE_OPTIONS)).initMs);
    }
    const maps = Object.entries(audit.metafile!.outputs).filter(([path]) => path.endsWith('.map'));
    return {
      bytes: sum(code.map(([, o]) => o.bytes)),
      startupBytes: sum(startup.map(([, o]) => o.bytes)),
      files: code.length,
      startupFiles: startup.length,
      mapBytes: sum(maps.map(([, o]) => o.bytes)),
      emptyBytes: (await stat(emptyOut)).size,
      buildMs,
      topInputs,
      auditInitMs: median(auditRuns),
      emptyInitMs: median(emptyRuns),
      depsInitMs: median(depsRuns),
      depsBytes: sum(startupOutputs(deps.metafile!).map(([, o]) => o.bytes)),
      auditImportMs: median(auditImports),
      auditInitSourceMapsMs: median(auditSourceMaps),
      auditProcessMs: median(auditProcess),
      emptyProcessMs: median(emptyProcess),
      runtime,
      auditRuns,
      emptyRuns,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Output = [path: string, info: Metafile['outputs'][string]];

/** index.mjs and its chunks, without the source maps. */
function codeOutputs(meta: Metafile): Output[] {
  return Object.entries(meta.outputs).filter(([path]) => path.endsWith('.mjs'));
}

/** index.mjs and what it imports statically, transitively: the files a cold start reads. */
function startupOutputs(meta: Metafile): Output[] {
  const entry = Object.keys(meta.outputs).find((path) => path.endsWith('/index.mjs') || path === 'index.mjs');
  if (!entry) throw new Error('the bundle has no index.mjs');
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of meta.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen].map((path) => [path, meta.outputs[path]!]);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** `node_modules/@aws-sdk/client-dynamodb/...` -> `@aws-sdk/client-dynamodb`; our own files -> their folder. */
function packageOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1]!;
  const own = /^(lib\/[^/]+|functions)\//.exec(path);
  return own ? own[1]! : path;
}

/** Runs the probe on `bundle` with `node` and `nodeOptions` in NODE_OPTIONS, as Lambda passes the function's. */
function probeOn(node: string, bundle: string, nodeOptions: readonly string[]): Promise<{ importMs: number; initMs: number; processMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = ['--input-type=module', '-e', PROBE, pathToFileURL(bundle).href];
    const env = { PATH: process.env['PATH'] ?? '', ...LAMBDA_ENV, ...(nodeOptions.length > 0 ? { NODE_OPTIONS: nodeOptions.join(' ') } : {}) };
    const proc = spawn(node, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const processMs = performance.now() - t0;
      const line = err.split('\n').find((l) => l.startsWith('BENCH ')) ?? '';
      try {
        const parsed = JSON.parse(line.slice('BENCH '.length)) as { importMs: number; initMs: number };
        resolve({ ...parsed, processMs });
      } catch {
        reject(new Error(`bundle probe exited ${code}: ${err.slice(0, 500)}`));
      }
    });
  });
}

