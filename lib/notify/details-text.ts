import { capLines, clip, truncate } from './text.js';
import { andMore, joinBounded } from '../util/bounded.js';

/** Caps on rendered finding details: a 500-server cluster must not produce a 500-line message. */
export const DETAILS_LIMITS = {
  /** Lines in all. */
  lines: 30,
  /** Entries shown per array or object before "... and N more". */
  items: 8,
  /** Characters per scalar value. */
  value: 160,
  /** Nesting levels rendered; deeper values are summarized. */
  depth: 3,
  /** Characters per line of a one-line object or array. */
  line: 400,
} as const;

/**
 * `details` of a finding as indented `key: value` lines. Objects whose values
 * are all scalars go on one line (`n1: streams=6 consumers=0 total=6`), which
 * is how most checks' evidence reads best.
 */
export function detailsLines(details: Readonly<Record<string, unknown>>, indent = '  '): string[] {
  const lines: string[] = [];
  renderEntries(Object.entries(details), indent, 1, lines);
  return capLines(lines, DETAILS_LIMITS.lines, indent);
}

function renderEntries(entries: [string, unknown][], indent: string, depth: number, out: string[]): void {
  const shown = entries.slice(0, DETAILS_LIMITS.items);
  for (const [key, value] of shown) {
    const label = clip(key, 60);
    if (isScalar(value)) {
      out.push(`${indent}${label}: ${scalar(value)}`);
    } else if (isFlat(value)) {
      out.push(`${indent}${label}: ${truncate(flat(value), DETAILS_LIMITS.line)}`);
    } else if (depth >= DETAILS_LIMITS.depth) {
      out.push(`${indent}${label}: ${shape(value)}`);
    } else {
      out.push(`${indent}${label}:`);
      const children: [string, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [`${i + 1}`, v])
        : Object.entries(value as Record<string, unknown>);
      renderEntries(children, `${indent}  `, depth + 1, out);
    }
  }
  if (entries.length > shown.length) out.push(`${indent}${andMore(entries.length - shown.length)}`);
}

type Scalar = string | number | boolean | null | undefined;

function isScalar(value: unknown): value is Scalar {
  return value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value);
}

/** An array of scalars, or an object of scalars: fits on one line. */
function isFlat(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isScalar);
  return typeof value === 'object' && value !== null && Object.values(value).every(isScalar);
}

function flat(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 0 ? '(none)' : joinBounded(value.map(scalar), DETAILS_LIMITS.items, ', ');
  }
  const entries = Object.entries(value as Record<string, Scalar>);
  if (entries.length === 0) return '(none)';
  return joinBounded(entries.map(([k, v]) => `${clip(k, 60)}=${scalar(v)}`), DETAILS_LIMITS.items, ' ');
}

function scalar(value: Scalar): string {
  if (value === null || value === undefined) return '-';
  return clip(String(value), DETAILS_LIMITS.value);
}

function shape(value: unknown): string {
  const count = Array.isArray(value) ? value.length : Object.keys(value as object).length;
  const noun = Array.isArray(value) ? 'item' : 'field';
  const text = `${count} ${noun}${count === 1 ? '' : 's'}`;
  return Array.isArray(value) ? `[${text}]` : `{${text}}`;
}
