/**
 * Target 4: the Lambda bundle. functions/audit.ts is bundled with esbuild
 * using the arguments aws-cdk-lib's NodejsFunction passes for the bundling
 * options in lib/infra/audit-function.ts (ESM, node20, main fields
 * module,main, the createRequire banner, minify, source map without
 * sources content, the AWS SDK inside); an empty handler is bundled the
 * same way. Cold start is then measured in fresh node processes, the two
 * alternating, with `--enable-source-maps` as the function's NODE_OPTIONS
 * sets it.
 *
 * What "init" covers: `import()` of the bundle, then one `handler()` call
 * whose event fails validation. That call runs the module's whole
 * initialisation (reading and validating the environment, building the
 * DynamoDB, SNS and Secrets Manager clients, the check registry, the
 * handler) and returns before any network I/O, so it is the part a cold
 * start adds to the first invocation, without the epoch itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { median } from './stats.js';

/** The banner lib/infra/audit-function.ts gives esbuild. */
const BANNER =
  "import { createRequire as __natsAuditCreateRequire } from 'node:module'; const require = __natsAuditCreateRequire(import.meta.url);";

/** `NodejsFunction` bundling of lib/infra/audit-function.ts, as esbuild options. */
function cdkBundling(entry: string, outfile: string): BuildOptions {
  return {
    // For the stand-in entries written to a temp dir: resolve packages from the project.
    nodePaths: [join(process.cwd(), 'node_modules')],
    entryPoints: [entry],
    bundle: true,
    target: 'node20',
    platform: 'node',
    format: 'esm',
    outfile,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: BANNER },
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    metafile: true,
  };
}

export interface BundleOptions {
  readonly repetitions: number;
}

export interface BundleResult {
  readonly bytes: number;
  readonly mapBytes: number;
  readonly emptyBytes: number;
  readonly buildMs: number;
  /** Largest inputs by bytes in the minified output. */
  readonly topInputs: readonly { readonly path: string; readonly bytes: number }[];
  /** Medians, import + init in the child (ms). */
  readonly auditInitMs: number;
  readonly emptyInitMs: number;
  /** A handler that only imports nats and builds the three AWS SDK clients: the dependencies' share. */
  readonly depsInitMs: number;
  readonly depsBytes: number;
  readonly auditImportMs: number;
  /** Same without --enable-source-maps. */
  readonly auditInitNoMapsMs: number;
  /** Whole child process, spawn to exit. */
  readonly auditProcessMs: number;
  readonly emptyProcessMs: number;
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

/** What every invocation needs besides our code: nats and the three SDK clients functions/audit.ts builds. */
const DEPS_HANDLER = `import { connect } from 'nats';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
let clients: unknown[] | undefined;
export async function handler(_event: unknown): Promise<object> {
  clients ??= [new DynamoDBClient({}), new SecretsManagerClient({}), new SNSClient({}), connect];
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
    const audit = await build(cdkBundling(join(process.cwd(), 'functions', 'audit.ts'), auditOut));
    const buildMs = performance.now() - t0;
    await build(cdkBundling(emptyEntry, emptyOut));
    await build(cdkBundling(depsEntry, depsOut));

    const out = audit.metafile!.outputs[Object.keys(audit.metafile!.outputs).find((k) => k.endsWith('index.mjs'))!]!;
    const byPackage = new Map<string, number>();
    for (const [path, info] of Object.entries(out.inputs)) {
      const key = packageOf(path);
      byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
    }
    const topInputs = [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([path, bytes]) => ({ path, bytes }));

    const auditRuns: number[] = [];
    const emptyRuns: number[] = [];
    const auditImports: number[] = [];
    const auditNoMaps: number[] = [];
    const auditProcess: number[] = [];
    const emptyProcess: number[] = [];
    const depsRuns: number[] = [];
    // One of each first, unmeasured: the OS file cache, as a warm Lambda host would have it.
    await probe(auditOut, true);
    await probe(emptyOut, true);
    for (let i = 0; i < opts.repetitions; i++) {
      const e = await probe(emptyOut, true);
      emptyRuns.push(e.initMs);
      emptyProcess.push(e.processMs);
      const a = await probe(auditOut, true);
      auditRuns.push(a.initMs);
      auditImports.push(a.importMs);
      auditProcess.push(a.processMs);
      auditNoMaps.push((await probe(auditOut, false)).initMs);
      depsRuns.push((await probe(depsOut, true)).initMs);
    }
    return {
      bytes: (await stat(auditOut)).size,
      mapBytes: (await stat(`${auditOut}.map`)).size,
      emptyBytes: (await stat(emptyOut)).size,
      buildMs,
      topInputs,
      auditInitMs: median(auditRuns),
      emptyInitMs: median(emptyRuns),
      depsInitMs: median(depsRuns),
      depsBytes: (await stat(depsOut)).size,
      auditImportMs: median(auditImports),
      auditInitNoMapsMs: median(auditNoMaps),
      auditProcessMs: median(auditProcess),
      emptyProcessMs: median(emptyProcess),
      auditRuns,
      emptyRuns,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `node_modules/@aws-sdk/client-dynamodb/...` -> `@aws-sdk/client-dynamodb`; our own files -> their folder. */
function packageOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1]!;
  const own = /^(lib\/[^/]+|functions)\//.exec(path);
  return own ? own[1]! : path;
}

function probe(bundle: string, sourceMaps: boolean): Promise<{ importMs: number; initMs: number; processMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', PROBE, pathToFileURL(bundle).href];
    const proc = spawn(process.execPath, args, { env: { PATH: process.env['PATH'] ?? '', ...LAMBDA_ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
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

