/**
 * The built CLI's compiled code, kept between runs. cron and Nagios start a
 * whole process per `check`, and most of what such a process spends beyond
 * the bare protocol work is V8 compiling the same functions again: lazily,
 * as the epoch first calls each one. Node's own compile cache (22.1+) keeps
 * only what was compiled before a module ran, so none of that. V8 can also
 * serialize a script's code *after* it ran, every function it compiled
 * included; this module does that for the bundled CLI (bin/bundle-cli.mjs
 * builds it as one script, run here through `vm.Script`) and works on every
 * Node the CLI supports. BENCHMARKS.md section 7 measures it.
 *
 * The cache is one file per command, Node and bundle, in a directory only
 * its owner may write: a file in it becomes code this process runs. V8
 * checks a cache's version, flags and length but not every byte, so each
 * file starts with the SHA-256 of the rest, and a file that was changed
 * after it was written is never offered (a changed byte could crash V8). Any
 * problem with it (missing, stale, refused by V8, unwritable) only costs
 * the speed-up, never the run; NATS_AUDIT_DEBUG says what happened.
 */
import type { Stats } from 'node:fs';
import { loadBuiltin, nodeBuffer, nodeCrypto, nodeFs, nodeModule, nodeOs, nodePath, nodeVm } from './node-builtins.js';

// Not imported as ES modules: see node-builtins.ts.
const { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = nodeFs;
const { join } = nodePath;

/** The variable that moves the cache (an absolute directory) or turns it off (`off`). */
export const CODE_CACHE_VARIABLE = 'NATS_AUDIT_CODE_CACHE';

/**
 * A cache older than this is written again by the next run, so one written
 * by an unusual first run (every server unreachable, say: an epoch that
 * called little) is replaced within a day by one of the usual work.
 */
export const CODE_CACHE_REFRESH_MS = 24 * 60 * 60 * 1000;

/** Files of other bundles and runtimes (an upgrade leaves the old one) untouched this long are removed. */
export const CODE_CACHE_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/** The SHA-256 of the cached data that opens each cache file. */
const DIGEST_BYTES = 32;

/**
 * What bin/bundle-cli.mjs puts around the bundle (CommonJS inside): a script
 * whose value is a function of CommonJS's arguments. V8 compiles the file
 * byte for byte, so the source map's lines and columns hold.
 */
export const SCRIPT_BANNER = '(function (exports, require, module, __filename, __dirname) {';
export const SCRIPT_FOOTER = '})';

/** What the script the bundle holds hands back: one function taking CommonJS's arguments. */
type ScriptFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/** Where the cache lives, or why there is none. */
export type CodeCacheDir = { readonly dir: string } | { readonly off: string };

/**
 * `NATS_AUDIT_CODE_CACHE` when set (`off`, or an absolute directory), else
 * `$XDG_CACHE_HOME/nats-audit/code-cache`, else `~/.cache/nats-audit/code-cache`.
 */
export function codeCacheDir(env: Readonly<Record<string, string | undefined>>, home: () => string = () => nodeOs().homedir()): CodeCacheDir {
  const setting = env[CODE_CACHE_VARIABLE]?.trim();
  if (setting === 'off') return { off: `${CODE_CACHE_VARIABLE}=off` };
  if (setting) {
    return setting.startsWith('/') ? { dir: setting } : { off: `${CODE_CACHE_VARIABLE} is "${setting}", neither "off" nor an absolute directory` };
  }
  const xdg = env['XDG_CACHE_HOME']?.trim();
  if (xdg?.startsWith('/')) return { dir: join(xdg, 'nats-audit', 'code-cache') };
  const homeDir = env['HOME']?.trim() || home();
  return homeDir.startsWith('/') ? { dir: join(homeDir, '.cache', 'nats-audit', 'code-cache') } : { off: 'no home directory to keep it in' };
}

/** What a cache is only good for: this Node (and its V8), this machine, these flags. */
export interface Runtime {
  readonly version: string;
  readonly arch: string;
  /** Node's and V8's flags as given (`process.execArgv`, NODE_OPTIONS): V8 refuses a cache made under others. */
  readonly flags: string;
}

/** This process's {@link Runtime}. (Not `v8.cachedDataVersionTag()`: loading node:v8 costs a start more than the rest of this module.) */
export function currentRuntime(env: Readonly<Record<string, string | undefined>>): Runtime {
  return { version: `${process.version} v8 ${process.versions.v8}`, arch: process.arch, flags: [...process.execArgv, env['NODE_OPTIONS'] ?? ''].join(' ') };
}

/**
 * The cache file for this command of this bundle on this runtime. V8 checks
 * only the source's length, its own version and its flags before taking a
 * cache, so the bundle's content is in the name: a cache of another build
 * with the same length must never be offered. The runtime is in it too, so
 * two Nodes, or runs under different flags, keep a cache each rather than
 * replace each other's.
 */
export function codeCacheFileName(source: Buffer, command: string | undefined, runtime: Runtime): string {
  const key = nodeCrypto.createHash('sha256').update(`${runtime.version}\0${runtime.arch}\0${runtime.flags}\0`).update(source).digest('hex');
  const name = command !== undefined && /^[a-z]{1,16}$/.test(command) ? command : 'other';
  return `${name}-${key.slice(0, 32)}.bin`;
}

function sha256(data: Buffer): Buffer {
  return nodeCrypto.createHash('sha256').update(data).digest();
}

/**
 * Why a directory or file of the cache must not be trusted, or undefined:
 * it must be this user's and writable by nobody else, since whoever can
 * write it chooses code this process runs. (Windows reports every file
 * writable by all, so there the cache is never used.)
 */
export function untrustedBecause(stats: Pick<Stats, 'uid' | 'mode'>, uid: number | undefined): string | undefined {
  if (uid !== undefined && stats.uid !== uid) return `it belongs to uid ${stats.uid}, not ${uid}`;
  if ((stats.mode & 0o022) !== 0) return `it is writable by others (mode ${(stats.mode & 0o777).toString(8)})`;
  return undefined;
}

export interface CliScript {
  /** The bundle's exports (`main`). */
  readonly exports: Record<string, unknown>;
  /** Writes the cache when this run should (none yet, refused, or a day old); never throws. Call once the work is done. */
  readonly saveCache: () => void;
}

export interface LoadOptions {
  /** The command about to run (`check`): each has its own cache. */
  readonly command: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where NATS_AUDIT_DEBUG's lines go. */
  readonly debug?: ((line: string) => void) | undefined;
  readonly now?: () => number;
}

/** Compiles and runs the bundled CLI script at `path`, with its code cache when there is a usable one. */
export function loadCliScript(path: string, options: LoadOptions): CliScript {
  const debug = options.debug ?? ((): void => undefined);
  const now = options.now ?? Date.now;
  const bytes = readFileSync(path);
  // esbuild writes ASCII (it escapes the rest), which becomes a string fastest as Latin-1.
  const source = nodeBuffer.isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const where = codeCacheDir(options.env);
  const uid = process.getuid?.();
  const file = 'dir' in where ? join(where.dir, codeCacheFileName(bytes, options.command, currentRuntime(options.env))) : undefined;

  const cached = file === undefined ? undefined : readCache(file, uid);
  const script = new nodeVm.Script(source, { filename: path, ...(cached?.data === undefined ? {} : { cachedData: cached.data }) });
  // Why this run writes the cache: undefined when the cache is off or was used fresh.
  let rewrite: string | undefined;
  if (cached !== undefined) {
    if (cached.data === undefined) rewrite = cached.problem;
    else if (script.cachedDataRejected === true) rewrite = 'refused by V8';
    else if (now() - cached.writtenAt > CODE_CACHE_REFRESH_MS) rewrite = 'used, over a day old';
  }
  if ('off' in where) debug(`code cache off: ${where.off}\n`);
  else if (rewrite === undefined) debug(`code cache ${file}: used\n`);

  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as ScriptFunction;
  run(module.exports, scriptRequire(path), module, path, join(path, '..'));

  const saveCache = (): void => {
    if (rewrite === undefined || !('dir' in where) || file === undefined) return;
    try {
      writeCache(where.dir, file, script.createCachedData(), uid, now());
      debug(`code cache ${file}: ${rewrite}, written\n`);
    } catch (error) {
      debug(`code cache ${file}: ${rewrite}, not written: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  return { exports: module.exports, saveCache };
}

/**
 * The script's `require`: Node's built-ins as they are (node-builtins.ts),
 * and what the bundle leaves outside (the AWS SDK, which a fleet check
 * requires on demand) resolved from the script's place, by a `require`
 * made on first need: node:module costs a start more than it is used.
 */
function scriptRequire(path: string): NodeJS.Require {
  let outside: NodeJS.Require | undefined;
  const require = (id: string): unknown => loadBuiltin(id) ?? (outside ??= nodeModule().createRequire(path))(id);
  return require as NodeJS.Require;
}

/** The cache's bytes and when they were written, or why there are none; never throws. */
function readCache(file: string, uid: number | undefined): { data?: Buffer; writtenAt: number; problem?: string } {
  let fd: number | undefined;
  try {
    const dirProblem = untrustedBecause(statSync(join(file, '..')), uid);
    if (dirProblem) return { writtenAt: 0, problem: `not used: the directory is untrusted: ${dirProblem}` };
    fd = openSync(file, 'r');
    const stats = fstatSync(fd);
    const fileProblem = untrustedBecause(stats, uid);
    if (fileProblem) return { writtenAt: 0, problem: `not used: ${fileProblem}` };
    const content = readFileSync(fd);
    const data = content.subarray(DIGEST_BYTES);
    if (content.length <= DIGEST_BYTES || !sha256(data).equals(content.subarray(0, DIGEST_BYTES))) {
      return { writtenAt: 0, problem: 'not used: its checksum does not match its content' };
    }
    return { data, writtenAt: stats.mtimeMs };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { writtenAt: 0, problem: code === 'ENOENT' ? 'none yet' : `unreadable (${code ?? String(error)})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache whole or not at all (a concurrent run reads the old file or the new), then clears out long-unused ones. */
function writeCache(dir: string, file: string, data: Buffer, uid: number | undefined, now: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = untrustedBecause(statSync(dir), uid);
  if (problem) throw new Error(`the directory is untrusted: ${problem}`);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([sha256(data), data]), { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === file || !/\.(bin|tmp)$/.test(name)) continue;
    try {
      if (now - statSync(path).mtimeMs > CODE_CACHE_KEEP_MS) rmSync(path, { force: true });
    } catch {
      // Another run removed it first.
    }
  }
}
