/**
 * Node's built-in modules as CommonJS hands them out, for the CLI's entry.
 * An ES module import of a built-in builds a facade that reads every export,
 * lazy ones included (`fs.promises`, `crypto.webcrypto`, `module.SourceMap`),
 * and so loads internal modules a short process never uses (one-off, Node
 * 24, 7 runs: the entry's eight built-ins reached the first line at ~115 ms
 * as ES modules, ~92 ms through this, ~85 ms for an empty script).
 * `process.getBuiltinModule` (Node 20.16+, 22.3+) hands out the plain
 * module; an older Node takes the facade of node:module, once.
 */
type Load = NodeJS.Process['getBuiltinModule'];

const load: Load =
  typeof process.getBuiltinModule === 'function'
    ? process.getBuiltinModule.bind(process)
    : ((await import('node:module')).createRequire(import.meta.url) as unknown as Load);

export const nodeBuffer = load('node:buffer');
export const nodeCrypto = load('node:crypto');
export const nodeFs = load('node:fs');
export const nodePath = load('node:path');
export const nodeUrl = load('node:url');
export const nodeVm = load('node:vm');
/** On first use: node:module loads Node's source map support with it. */
export const nodeModule = (): typeof import('node:module') => load('node:module');
export const nodeOs = (): typeof import('node:os') => load('node:os');

/** A built-in module by any of its names (`fs`, `node:fs`), or undefined for anything else. */
export function loadBuiltin(id: string): unknown {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(id);
  return nodeModule().isBuiltin(id) ? load(id as 'node:fs') : undefined;
}
