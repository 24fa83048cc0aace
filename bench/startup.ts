/**
 * Target 7: `nats-audit check` started as a whole process, the way cron and
 * Nagios run it, against a bare script that connects, sends PING.JSZ with
 * stream and consumer detail and parses the replies, side by side on the
 * live cluster, on this machine's Node and on Node 24 (the Lambda runtime,
 * as .ci/install-lambda-node fetched it). The CLI's code cache
 * (lib/cli/code-cache.ts) is filled by the warm-up run, as by an operator's
 * first; the same check without it is measured in the same rounds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalCluster } from '../lib/local-cluster/index.js';
import { projectRoot } from '../lib/infra/project-root.js';
import { findLambdaNode } from '../test/support/lambda-node.js';
import { median } from './stats.js';

export interface StartupRow {
  readonly node: string;
  readonly version: string;
  readonly emptyMs: number;
  readonly helpMs: number;
  readonly bareMs: number;
  readonly checkMs: number;
  readonly ratios: readonly number[];
  /** The same bundled check with NATS_AUDIT_CODE_CACHE=off: every function compiled anew, as before the cache. */
  readonly noCacheCheckMs: number;
  readonly noCacheRatios: readonly number[];
  /** The same check run from tsc's unbundled output, as built before bin/bundle-cli.mjs. */
  readonly unbundledCheckMs: number;
  readonly unbundledRatios: readonly number[];
  /**
   * `check` of a closed loopback port (an unreachable cluster, answered at
   * once): start-up, loading and one epoch with no server work, bundled and
   * unbundled, the part of a run the bundle changes.
   */
  readonly unreachableMs: number;
  readonly unreachableUnbundledMs: number;
}

/**
 * The bare script: one connection, one PING.JSZ asking for every stream and
 * consumer, every reply JSON-parsed. Kept in the project so it resolves the
 * same `nats` package the CLI uses.
 */
const BARE_SCRIPT = `
import { connect, createInbox } from 'nats';
const [url, user, pass, expected] = process.argv.slice(2);
const nc = await connect({ servers: url, user, pass });
const inbox = createInbox();
let n = 0;
const done = new Promise((resolve) => {
  nc.subscribe(inbox, { callback: (_e, m) => { JSON.parse(new TextDecoder().decode(m.data)); if (++n >= Number(expected)) resolve(); } });
});
nc.publish('$SYS.REQ.SERVER.PING.JSZ', new TextEncoder().encode(JSON.stringify({ accounts: true, streams: true, consumer: true })), { reply: inbox });
await done;
await nc.close();
`;

/**
 * The checkout `npm run bench` runs in. Not projectRoot() of this module: the
 * bench runs bundled from node_modules/.cache, and a worktree's node_modules
 * may be a link into another checkout, whose dist/ would then be built and timed.
 */
const ROOT = projectRoot(process.cwd());

/** Runs a process to completion; `okCodes` are the exit codes that count as success. */
function run(node: string, args: readonly string[], env: NodeJS.ProcessEnv, okCodes: readonly number[] = [0]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile(node, args, { env, cwd: ROOT, timeout: 60_000 }, (error) => {
      const elapsed = performance.now() - t0;
      const code = error ? error.code : 0;
      if (typeof code !== 'number' || !okCodes.includes(code)) reject(new Error(`${node} ${args.join(' ')} failed: ${error?.message}`));
      else resolve(elapsed);
    });
  });
}

/** check exits 0-2 by the cluster's status; only 3 (or a crash) means it could not run. */
const CHECK_EXIT_CODES = [0, 1, 2];

export async function measureStartup(cluster: LocalCluster, repetitions: number, log: (line: string) => void): Promise<StartupRow[]> {
  const root = ROOT;
  // Built here, so the processes timed are this checkout's CLI, not a stale dist/.
  log(`startup: building ${join(root, 'dist')} (tsc -p tsconfig.build.json, then bin/bundle-cli.mjs)`);
  await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], process.env);
  const cli = join(root, 'dist', 'bin', 'nats-audit.js');
  const dir = await mkdtemp(join(tmpdir(), 'nats-audit-startup-'));
  const rows: StartupRow[] = [];
  try {
    // Before the bundle overwrites it: tsc's entry, pointed at tsc's dist/lib, is the CLI as it was unbundled.
    const unbundled = join(dir, 'nats-audit-unbundled.mjs');
    const tscEntry = await readFile(cli, 'utf8');
    const libUrl = pathToFileURL(join(root, 'dist', 'lib')).href;
    if (!tscEntry.includes("'../lib/cli/main.js'")) throw new Error(`startup: ${cli} no longer imports ../lib/cli/main.js`);
    await writeFile(unbundled, tscEntry.replaceAll("'../lib/", `'${libUrl}/`));
    await run(process.execPath, [join(root, 'bin', 'bundle-cli.mjs')], process.env);
    const bare = join(root, 'node_modules', '.cache', 'nats-audit-bench', 'bare-jsz.mjs');
    await writeFile(bare, BARE_SCRIPT);
    const lambda = findLambdaNode();
    if (lambda === undefined) log('startup: Node.js 24 (the Lambda runtime) is not installed (bash .ci/install-lambda-node): measured on this machine\'s Node only');
    const nodes = [
      { node: 'machine Node', bin: process.env.npm_node_execpath ?? process.execPath },
      ...(lambda === undefined ? [] : [{ node: 'Lambda runtime', bin: lambda }]),
    ];
    for (const { node, bin } of nodes) {
      const version = await new Promise<string>((resolve) => execFile(bin, ['--version'], (_e, out) => resolve(String(out).trim())));
      log(`startup: ${node} ${version}, ${repetitions} rounds of bare script / check`);
      // Node's compile cache (22.1+, the unbundled build's) and the CLI's code cache live in directories of this run, filled by the warm-up.
      const env = {
        ...process.env,
        NODE_COMPILE_CACHE: join(dir, `cache-${version}`),
        NATS_AUDIT_CODE_CACHE: join(dir, `code-cache-${version}`),
        NATS_URL: cluster.urls.join(','),
        NATS_USER: cluster.system.user,
        NATS_PASSWORD: cluster.system.password,
      };
      const noCacheEnv = { ...env, NATS_AUDIT_CODE_CACHE: 'off' };
      const checkArgs = ['check', '--expect-servers', String(cluster.servers.length), '--state', join(dir, `state-${version}.json`)];
      const check = [cli, ...checkArgs];
      const checkUnbundled = [unbundled, ...checkArgs];
      const unreachableArgs = ['check', '--servers', 'nats://127.0.0.1:1', '--state', join(dir, `unreachable-${version}.json`)];
      const bareArgs = [bare, cluster.urls[0]!, cluster.system.user, cluster.system.password, String(cluster.servers.length)];
      await run(bin, check, env, CHECK_EXIT_CODES);
      await run(bin, checkUnbundled, env, CHECK_EXIT_CODES);
      await run(bin, bareArgs, env);
      const empty: number[] = [];
      const help: number[] = [];
      const bareMs: number[] = [];
      const checkMs: number[] = [];
      const ratios: number[] = [];
      const noCacheMs: number[] = [];
      const noCacheRatios: number[] = [];
      const unbundledMs: number[] = [];
      const unbundledRatios: number[] = [];
      const unreachable: number[] = [];
      const unreachableUnbundled: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        empty.push(await run(bin, ['-e', ''], env));
        help.push(await run(bin, [cli, '--help'], env));
        unreachable.push(await run(bin, [cli, ...unreachableArgs], env, CHECK_EXIT_CODES));
        unreachableUnbundled.push(await run(bin, [unbundled, ...unreachableArgs], env, CHECK_EXIT_CODES));
        const b = await run(bin, bareArgs, env);
        // Rotate which build goes first after the bare script, so none always runs on its heels.
        const timed = { check: 0, noCache: 0, unbundled: 0 };
        const order = (['check', 'noCache', 'unbundled'] as const).map((_, k, all) => all[(k + i) % all.length]!);
        for (const which of order) {
          if (which === 'check') timed.check = await run(bin, check, env, CHECK_EXIT_CODES);
          else if (which === 'noCache') timed.noCache = await run(bin, check, noCacheEnv, CHECK_EXIT_CODES);
          else timed.unbundled = await run(bin, checkUnbundled, env, CHECK_EXIT_CODES);
        }
        const { check: c, noCache: n, unbundled: u } = timed;
        bareMs.push(b);
        checkMs.push(c);
        ratios.push(c / b);
        noCacheMs.push(n);
        noCacheRatios.push(n / b);
        unbundledMs.push(u);
        unbundledRatios.push(u / b);
      }
      rows.push({
        node, version, emptyMs: median(empty), helpMs: median(help), bareMs: median(bareMs), checkMs: median(checkMs), ratios,
        noCacheCheckMs: median(noCacheMs), noCacheRatios,
        unbundledCheckMs: median(unbundledMs), unbundledRatios,
        unreachableMs: median(unreachable), unreachableUnbundledMs: median(unreachableUnbundled),
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
