/**
 * The import graph of lib/, bin/ and functions/, and the two rules it must
 * keep: imports point down the layer order the README's layout section
 * writes (lowest first, `→` between layers, `/` between peers that never
 * import each other), and no file reaches itself through its imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the repository root. */
  readonly from: string;
  /** Imported file (a .ts path), relative to the repository root. */
  readonly to: string;
  /** The specifier as written. */
  readonly specifier: string;
}

/** The line of the README's layout section that starts with this marker holds the order. */
export const ORDER_MARKER = 'Layers, lowest first:';

/** Layer names, lowest first, each a list of peers; read from the README's one line. */
export function readLayerOrder(readme: string): string[][] {
  const line = readme.split('\n').find((l) => l.trim().startsWith(ORDER_MARKER));
  if (line === undefined) throw new Error(`README: no line starting with "${ORDER_MARKER}"`);
  return line
    .trim()
    .slice(ORDER_MARKER.length)
    .split('→')
    .map((layer) => layer.split('/').map((name) => name.replaceAll('`', '').trim()));
}

/** Every relative import of every .ts file under `roots` (type-only and dynamic ones included). */
export function importEdges(repoRoot: string, roots: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const root of roots) {
    for (const file of tsFiles(join(repoRoot, root))) {
      const from = relative(repoRoot, file);
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: specifier } of importedFiles) {
        if (!specifier.startsWith('.')) continue;
        const to = normalize(join(dirname(from), specifier)).replace(/\.js$/, '.ts');
        edges.push({ from, to, specifier });
      }
    }
  }
  return edges;
}

/** The unit a file belongs to in the order: lib/<folder>/… → folder, lib/<name>.ts → name, bin/… → bin. */
export function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'lib') return parts[0]!;
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, '');
}

/** One line per import against the order, naming the file, the specifier and both layers. */
export function layerViolations(edges: readonly ImportEdge[], order: readonly (readonly string[])[]): string[] {
  const rank = new Map<string, number>();
  order.forEach((peers, i) => peers.forEach((name) => rank.set(name, i)));
  const problems: string[] = [];
  const unplaced = new Set<string>();
  for (const edge of edges) {
    const from = unitOf(edge.from);
    const to = unitOf(edge.to);
    if (from === to) continue;
    const a = rank.get(from);
    const b = rank.get(to);
    if (a === undefined || b === undefined) {
      for (const [unit, r] of [[from, a], [to, b]] as const) if (r === undefined) unplaced.add(unit);
      continue;
    }
    if (b === a) problems.push(`${edge.from} imports ${edge.specifier}: ${from} and ${to} are peers, neither imports the other`);
    else if (b > a) problems.push(`${edge.from} imports ${edge.specifier}: ${from} sits below ${to}`);
  }
  for (const unit of unplaced) problems.push(`${unit} is not placed in the README's layer order`);
  return problems;
}

/** Each import cycle once, as the chain of files that closes it. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to]);
      else if (state.get(to) === undefined) visit(to);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return cycles;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}
