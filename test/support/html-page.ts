/**
 * Reads a page made by lib/report/html the strict way, without a browser:
 * the whole document must be text free of `<` and `>` between tags the
 * renderer itself writes, each with only its known attributes, every value
 * double-quoted. A name that broke out of its escaping (a `<script>`, an
 * `onload=`, a stray quote) makes the page fail this reading.
 */
import { runEpoch } from '../../lib/epoch/run-epoch.js';
import { defaultRegistry } from '../../lib/checks/index.js';
import { LEADER_BALANCE_DEFAULTS } from '../../lib/domain/leader-balance.js';
import { formatHtml } from '../../lib/report/html/index.js';
import type { RawSample } from '../../lib/domain/raw-sample.js';
import { MemoryStateStore } from '../../lib/state/state-store.js';

/** Every element the renderer writes; anything else in a page came from input. */
const ELEMENTS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'span', 'b', 'section', 'article',
  'ol', 'ul', 'li', 'code', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'figure', 'figcaption', 'div', 'footer',
  'svg', 'g', 'title', 'rect', 'line', 'text',
]);
const ATTRIBUTES = new Set([
  'lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'id', 'title', 'scope', 'colspan', 'role', 'viewbox', 'width', 'height',
  'x', 'y', 'x1', 'x2', 'y1', 'y2',
]);
const TAG = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*="[^"<>]*")*)\s*>/;
const ATTRIBUTE = /\s+([a-zA-Z][a-zA-Z0-9-]*)="([^"<>]*)"/g;

export interface PageReading {
  /** The text a reader sees, entities decoded, tags replaced by spaces (style sheet left out). */
  readonly text: string;
  /** Every attribute value, entities decoded. */
  readonly attributeValues: readonly string[];
  readonly elements: readonly string[];
}

/** Throws, naming the place, where the page is not what the renderer writes. */
export function readPage(page: string): PageReading {
  const doctype = '<!DOCTYPE html>';
  if (!page.startsWith(doctype)) throw new Error('the page does not start with <!DOCTYPE html>');
  let rest = page.slice(doctype.length);
  const text: string[] = [];
  const values: string[] = [];
  const elements: string[] = [];
  let inStyle = false;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const chunk = lt === -1 ? rest : rest.slice(0, lt);
    if (chunk.includes('>')) throw new Error(`a bare ">" in text near ${JSON.stringify(chunk.slice(0, 80))}`);
    if (!inStyle) text.push(decode(chunk));
    if (lt === -1) break;
    rest = rest.slice(lt);
    const tag = TAG.exec(rest);
    if (!tag) throw new Error(`not a tag the renderer writes: ${JSON.stringify(rest.slice(0, 80))}`);
    const [whole, closing, name, attributes] = tag as unknown as [string, string, string, string];
    if (!ELEMENTS.has(name)) throw new Error(`unexpected element <${name}>`);
    for (const [, attribute, value] of attributes.matchAll(ATTRIBUTE) as IterableIterator<[string, string, string]>) {
      if (!ATTRIBUTES.has(attribute.toLowerCase()) && !attribute.startsWith('data-')) throw new Error(`unexpected attribute ${attribute} on <${name}>`);
      values.push(decode(value));
    }
    if (name === 'style') inStyle = closing === '';
    if (closing === '') elements.push(name);
    text.push(' ');
    rest = rest.slice(whole.length);
  }
  return { text: text.join('').replace(/\s+/g, ' '), attributeValues: values, elements };
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', times: '×', mdash: '—', ndash: '–', middot: '·' };

function decode(text: string): string {
  return text.replace(/&(#\d+|[a-z]+);/g, (entity, body: string) => {
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
    const named = NAMED[body];
    if (named === undefined) throw new Error(`unknown entity ${entity}`);
    return named;
  });
}

/** Epochs over `samples` in turn (one store, so lifecycle and history build up), then the last one's page. */
export async function pageOf(samples: readonly RawSample[], clusterKey = 'c1'): Promise<string> {
  const store = new MemoryStateStore();
  const registry = defaultRegistry();
  let last: Awaited<ReturnType<typeof runEpoch>> | undefined;
  for (const [i, s] of samples.entries()) {
    last = await runEpoch({
      sample: async () => s,
      store,
      clusterKey,
      registry,
      checks: { skip: new Set(), thresholds: {} },
      persistence: { epochs: 2, minMs: 0 },
      now: () => s.startedAt + 100 + i,
    });
  }
  if (!last || last.failed) throw new Error('no epoch observed the cluster');
  const { state } = await store.load(clusterKey);
  return formatHtml({ report: last.report, observation: last.observation, history: state.history, leaderBalance: LEADER_BALANCE_DEFAULTS });
}
