/**
 * Stack traces of the bundled CLI script in its sources. Node reads source
 * maps for the modules it loads, not for a script compiled through
 * `vm.Script` (code-cache.ts), so NATS_AUDIT_DEBUG's traces are mapped here,
 * through the map esbuild wrote beside the script. Only when asked: parsing
 * a 0.8 MB map costs more than a whole run's start.
 */
import type { SourceMap, SourceMapping } from 'node:module';
import { nodeFs, nodeModule, nodePath } from './node-builtins.js';

/** From now on, `error.stack` shows frames of the script at `scriptPath` at their place in the sources. */
export function mapStackTraces(scriptPath: string): void {
  let map: SourceMap | undefined;
  const mapOf = (): SourceMap => (map ??= new (nodeModule().SourceMap)(JSON.parse(nodeFs.readFileSync(`${scriptPath}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]));
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]): string => {
    const lines = frames.map((frame) => `    at ${frame.getFileName() === scriptPath ? inSources(frame, mapOf(), scriptPath) : String(frame)}`);
    return [`${error.name}: ${error.message}`, ...lines].join('\n');
  };
}

function inSources(frame: NodeJS.CallSite, map: SourceMap, scriptPath: string): string {
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  // An empty object when nothing maps there.
  const entry = (line === null || column === null ? {} : map.findEntry(line - 1, column - 1)) as Partial<SourceMapping> & { readonly name?: string };
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return String(frame);
  const source = nodePath.resolve(nodePath.dirname(scriptPath), entry.originalSource);
  const place = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  // The minified name of the frame says nothing; the map names a call site only now and then.
  const name = entry.name;
  return name ? `${name} (${place})` : place;
}
