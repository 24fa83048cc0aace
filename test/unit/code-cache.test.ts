/**
 * The CLI script's code cache (lib/cli/code-cache.ts) on a small script
 * esbuild bundles the way bin/bundle-cli.mjs bundles the CLI, compiled and
 * cached by this process's real V8.
 */
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CODE_CACHE_KEEP_MS,
  CODE_CACHE_REFRESH_MS,
  SCRIPT_BANNER,
  SCRIPT_FOOTER,
  codeCacheDir,
  codeCacheFileName,
  currentRuntime,
  loadCliScript,
  untrustedBecause,
} from '../../lib/cli/code-cache.js';
import { mapStackTraces } from '../../lib/cli/script-stack-traces.js';
import { useTempDir } from '../support/cli.js';

const RUNTIME = { version: 'v20.0.0 v8 11.3', arch: 'x64', flags: '' };

describe('where the code cache lives', () => {
  it('is NATS_AUDIT_CODE_CACHE, else under XDG_CACHE_HOME, else under ~/.cache', () => {
    expect(codeCacheDir({ NATS_AUDIT_CODE_CACHE: '/srv/cache', XDG_CACHE_HOME: '/x' })).toEqual({ dir: '/srv/cache' });
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/home/op' })).toEqual({ dir: '/x/nats-audit/code-cache' });
    expect(codeCacheDir({ HOME: '/home/op' })).toEqual({ dir: '/home/op/.cache/nats-audit/code-cache' });
    expect(codeCacheDir({}, () => '/home/fallback')).toEqual({ dir: '/home/fallback/.cache/nats-audit/code-cache' });
  });

  it('is nowhere when turned off, when the setting is no absolute path, or without a home', () => {
    expect(codeCacheDir({ NATS_AUDIT_CODE_CACHE: 'off' })).toEqual({ off: 'NATS_AUDIT_CODE_CACHE=off' });
    expect(codeCacheDir({ NATS_AUDIT_CODE_CACHE: 'cache' })).toEqual({ off: 'NATS_AUDIT_CODE_CACHE is "cache", neither "off" nor an absolute directory' });
    expect(codeCacheDir({ XDG_CACHE_HOME: 'relative' }, () => '')).toEqual({ off: 'no home directory to keep it in' });
  });
});

describe('the cache file’s name', () => {
  it('differs by content, not only length, by runtime, flags and command', () => {
    const a = codeCacheFileName(Buffer.from('let a = 1;'), 'check', RUNTIME);
    expect(a).toMatch(/^check-[0-9a-f]{32}\.bin$/);
    expect(codeCacheFileName(Buffer.from('let b = 1;'), 'check', RUNTIME)).not.toBe(a);
    expect(codeCacheFileName(Buffer.from('let a = 1;'), 'check', { ...RUNTIME, flags: '--max-old-space-size=512' })).not.toBe(a);
    expect(codeCacheFileName(Buffer.from('let a = 1;'), 'check', { ...RUNTIME, arch: 'arm64' })).not.toBe(a);
    expect(codeCacheFileName(Buffer.from('let a = 1;'), 'check', { ...RUNTIME, version: 'v24.0.0 v8 13.6' })).not.toBe(a);
    expect(codeCacheFileName(Buffer.from('let a = 1;'), 'gather', RUNTIME)).toBe(a.replace('check-', 'gather-'));
  });

  it('names anything but a plain command "other", so no argument reaches the path', () => {
    expect(codeCacheFileName(Buffer.from('x'), '--help', RUNTIME)).toMatch(/^other-/);
    expect(codeCacheFileName(Buffer.from('x'), '../../etc', RUNTIME)).toMatch(/^other-/);
    expect(codeCacheFileName(Buffer.from('x'), undefined, RUNTIME)).toMatch(/^other-/);
  });
});

describe('a trusted cache directory or file', () => {
  it('is this user’s and writable by nobody else', () => {
    expect(untrustedBecause({ uid: 1000, mode: 0o40700 }, 1000)).toBeUndefined();
    expect(untrustedBecause({ uid: 1000, mode: 0o100644 }, 1000)).toBeUndefined();
    expect(untrustedBecause({ uid: 0, mode: 0o40700 }, 1000)).toBe('it belongs to uid 0, not 1000');
    expect(untrustedBecause({ uid: 1000, mode: 0o40770 }, 1000)).toBe('it is writable by others (mode 770)');
    expect(untrustedBecause({ uid: 1000, mode: 0o41777 }, 1000)).toBe('it is writable by others (mode 777)');
    // Where there are no uids (Windows), only the mode is asked.
    expect(untrustedBecause({ uid: 0, mode: 0o40700 }, undefined)).toBeUndefined();
  });
});

describe('loading the script', () => {
  const dir = useTempDir('nats-audit-code-cache-');
  let script: string;

  beforeAll(async () => {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'src', 'entry.ts'),
      [
        "import { basename } from 'node:path';",
        'export function greet(name: string): string {',
        '  return `hello ${basename(name)}`;',
        '}',
        'export function fail(): never {',
        "  throw new Error('failed on purpose');",
        '}',
        '',
      ].join('\n'),
    );
    script = join(dir, 'script.js');
    await build({
      entryPoints: [join(dir, 'src', 'entry.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      banner: { js: SCRIPT_BANNER },
      footer: { js: SCRIPT_FOOTER },
      logLevel: 'silent',
    });
  });

  let loads = 0;
  /**
   * Loads the script with the cache in `cacheDir`, runs it, saves the cache;
   * returns what NATS_AUDIT_DEBUG would print. Each load is a copy under a
   * name of its own, as each CLI process compiles the script once: V8 would
   * take a second compile of the same script in this process from its
   * in-memory cache, never looking at the file's.
   */
  function load(cacheDir: string, now = Date.now()): { lines: string[]; greet: (name: string) => string } {
    const lines: string[] = [];
    const copy = join(dir, `script-${++loads}.js`);
    copyFileSync(script, copy);
    const cli = loadCliScript(copy, { command: 'check', env: { NATS_AUDIT_CODE_CACHE: cacheDir }, debug: (line) => lines.push(line.trim()), now: () => now });
    const greet = cli.exports['greet'] as (name: string) => string;
    expect(greet('/a/b')).toBe('hello b');
    cli.saveCache();
    return { lines, greet };
  }

  const cacheFiles = (cacheDir: string): string[] => readdirSync(cacheDir).filter((name) => name.endsWith('.bin'));

  it('writes the cache on the first run and uses it on the next', () => {
    // Prepare
    const cacheDir = join(dir, 'first');

    // Act
    const first = load(cacheDir);
    const second = load(cacheDir);

    // Assess
    const [file] = cacheFiles(cacheDir);
    expect(file).toMatch(/^check-[0-9a-f]{32}\.bin$/);
    expect(first.lines).toEqual([`code cache ${join(cacheDir, file!)}: none yet, written`]);
    expect(second.lines).toEqual([`code cache ${join(cacheDir, file!)}: used`]);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(cacheDir, file!)).mode & 0o777).toBe(0o600);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('never offers V8 a file changed after it was written, and writes it again', () => {
    // Prepare
    const cacheDir = join(dir, 'changed');
    load(cacheDir);
    const path = join(cacheDir, cacheFiles(cacheDir)[0]!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(path, bytes);

    // Act
    const changed = load(cacheDir);
    const after = load(cacheDir);

    // Assess
    expect(changed.lines).toEqual([`code cache ${path}: not used: its checksum does not match its content, written`]);
    expect(after.lines).toEqual([`code cache ${path}: used`]);
  });

  it('writes the cache again when V8 refuses it', () => {
    // Prepare: well formed for us (its checksum holds), but no cache V8 made.
    const cacheDir = join(dir, 'refused');
    load(cacheDir);
    const path = join(cacheDir, cacheFiles(cacheDir)[0]!);
    const garbage = Buffer.alloc(4096, 7);
    writeFileSync(path, Buffer.concat([createHash('sha256').update(garbage).digest(), garbage]));

    // Act
    const refused = load(cacheDir);
    const after = load(cacheDir);

    // Assess
    expect(refused.lines).toEqual([`code cache ${path}: refused by V8, written`]);
    expect(after.lines).toEqual([`code cache ${path}: used`]);
  });

  it('writes a cache over a day old again, and removes other files unused for 30 days', () => {
    // Prepare
    const cacheDir = join(dir, 'old');
    load(cacheDir);
    const path = join(cacheDir, cacheFiles(cacheDir)[0]!);
    const now = Date.now();
    const stale = join(cacheDir, 'check-00000000000000000000000000000000.bin');
    const recent = join(cacheDir, 'gather-00000000000000000000000000000000.bin');
    const unrelated = join(cacheDir, 'notes.txt');
    for (const other of [stale, recent, unrelated]) writeFileSync(other, 'x');
    const ago = (ms: number): Date => new Date(now - ms);
    utimesSync(path, ago(CODE_CACHE_REFRESH_MS + 60_000), ago(CODE_CACHE_REFRESH_MS + 60_000));
    utimesSync(stale, ago(CODE_CACHE_KEEP_MS + 60_000), ago(CODE_CACHE_KEEP_MS + 60_000));
    utimesSync(recent, ago(CODE_CACHE_KEEP_MS - 60_000), ago(CODE_CACHE_KEEP_MS - 60_000));
    utimesSync(unrelated, ago(CODE_CACHE_KEEP_MS + 60_000), ago(CODE_CACHE_KEEP_MS + 60_000));

    // Act
    const old = load(cacheDir, now);

    // Assess
    expect(old.lines).toEqual([`code cache ${path}: used, over a day old, written`]);
    expect(now - statSync(path).mtimeMs).toBeLessThan(CODE_CACHE_REFRESH_MS);
    expect(readdirSync(cacheDir).sort()).toEqual([cacheFiles(cacheDir).find((n) => path.endsWith(n))!, 'gather-00000000000000000000000000000000.bin', 'notes.txt'].sort());
  });

  it('neither reads nor writes a directory others may write', () => {
    // Prepare: a planted file in a world-writable directory.
    const cacheDir = join(dir, 'shared');
    load(cacheDir);
    const path = join(cacheDir, cacheFiles(cacheDir)[0]!);
    chmodSync(cacheDir, 0o777);
    const before = readFileSync(path);

    // Act
    const shared = load(cacheDir);

    // Assess
    expect(shared.lines).toEqual([
      `code cache ${path}: not used: the directory is untrusted: it is writable by others (mode 777), not written: the directory is untrusted: it is writable by others (mode 777)`,
    ]);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('does not read a cache file others may write', () => {
    // Prepare
    const cacheDir = join(dir, 'loose-file');
    load(cacheDir);
    const path = join(cacheDir, cacheFiles(cacheDir)[0]!);
    chmodSync(path, 0o666);

    // Act
    const loose = load(cacheDir);

    // Assess: not taken, and replaced by a file of its own.
    expect(loose.lines).toEqual([`code cache ${path}: not used: it is writable by others (mode 666), written`]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('runs the same without a place to write, or when turned off', () => {
    // Prepare: the cache directory would be under a regular file.
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');

    // Act
    const nowhere = load(join(file, 'cache'));
    const off = load('off');

    // Assess
    const name = codeCacheFileName(readFileSync(script), 'check', currentRuntime({ NATS_AUDIT_CODE_CACHE: join(file, 'cache') }));
    expect(nowhere.lines).toEqual([`code cache ${join(file, 'cache', name)}: unreadable (ENOTDIR), not written: ENOTDIR: not a directory, mkdir '${join(file, 'cache')}'`]);
    expect(off.lines).toEqual(['code cache off: NATS_AUDIT_CODE_CACHE=off']);
  });

  it('reads a script that is not ASCII as UTF-8', async () => {
    // Prepare: esbuild escapes non-ASCII text unless told otherwise.
    writeFileSync(join(dir, 'src', 'accents.ts'), "export const word = (): string => 'épée ×3';\n");
    const utf8Script = join(dir, 'utf8-script.js');
    await build({ entryPoints: [join(dir, 'src', 'accents.ts')], outfile: utf8Script, bundle: true, platform: 'node', format: 'cjs', charset: 'utf8', banner: { js: SCRIPT_BANNER }, footer: { js: SCRIPT_FOOTER }, logLevel: 'silent' });
    expect(readFileSync(utf8Script, 'utf8')).toContain('épée ×3');

    // Act
    const cli = loadCliScript(utf8Script, { command: 'check', env: { NATS_AUDIT_CODE_CACHE: 'off' } });

    // Assess
    expect((cli.exports['word'] as () => string)()).toBe('épée ×3');
  });

  it('maps the script’s stack traces to its sources when asked', () => {
    // Prepare
    const saved = Error.prepareStackTrace;
    try {
      mapStackTraces(script);
      const cli = loadCliScript(script, { command: 'check', env: { NATS_AUDIT_CODE_CACHE: 'off' } });

      // Act
      let stack = '';
      try {
        (cli.exports['fail'] as () => never)();
      } catch (error) {
        stack = (error as Error).stack ?? '';
      }

      // Assess: the throw is line 6, column 9 of entry.ts.
      expect(stack.split('\n')[0]).toBe('Error: failed on purpose');
      expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at ${join(dir, 'src', 'entry.ts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:9$`));
    } finally {
      Error.prepareStackTrace = saved;
    }
  });
});
