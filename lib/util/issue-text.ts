/**
 * Plain wording for zod's own issues, at every boundary that shows one to a
 * person (reply problems, configuration errors): zod's defaults ("Too small:
 * expected string to have >=1 characters") read as a library talking. Pass
 * as the per-parse error map, `schema.safeParse(input, { error: issueText })`;
 * a message the schema sets itself still wins.
 *
 * Never quotes the input, only its kind: the input may be a password.
 */
import type * as z from 'zod';
import { andMore, ELLIPSIS, firstOf } from './bounded.js';

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  nonoptional: 'a value',
};

const FORMATS: Readonly<Record<string, string>> = {
  email: 'an email address',
  datetime: 'an ISO 8601 date and time',
  url: 'a URL',
  regex: 'text of the expected form',
};

/** What a value is, without its content: `null`, `array`, `string`, `Infinity`. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

/** Keys named in an "unknown fields" issue are cut to this, and at most three listed. */
const SHOWN_KEY_CHARS = 40;

function shownKeys(keys: readonly string[]): string {
  const { shown, more } = firstOf(keys, 3);
  const quoted = shown.map((k) => JSON.stringify(k.length <= SHOWN_KEY_CHARS ? k : `${k.slice(0, SHOWN_KEY_CHARS - 1)}${ELLIPSIS}`));
  return quoted.join(', ') + (more > 0 ? `, ${andMore(more)}` : '');
}

function sizeText(origin: string, bound: number | bigint, below: boolean, inclusive: boolean): string {
  if (origin === 'string') {
    if (below && bound === 1) return 'empty';
    return below ? `shorter than ${bound} characters` : `longer than ${bound} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    if (below && bound === 1) return 'empty, expected at least one entry';
    return below ? `fewer than ${bound} entries` : `more than ${bound} entries`;
  }
  if (below) return inclusive ? `expected at least ${bound}` : `expected more than ${bound}`;
  return inclusive ? `expected at most ${bound}` : `expected less than ${bound}`;
}

/** The zod error map; undefined leaves zod's own text (only for codes no schema here produces). */
export const issueText = (issue: z.core.$ZodRawIssue): string | undefined => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `missing, expected ${expected}`;
      // A fraction where a count belongs: "got number" would only confuse.
      if (issue.expected === 'int' && Number.isFinite(issue.input)) return `expected ${expected}`;
      return `expected ${expected}, got ${kindOf(issue.input)}`;
    }
    case 'too_small':
      return sizeText(issue.origin, issue.minimum, true, issue.inclusive !== false);
    case 'too_big':
      return sizeText(issue.origin, issue.maximum, false, issue.inclusive !== false);
    case 'invalid_value':
      return `expected ${issue.values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(' or ')}`;
    case 'invalid_format':
      return `expected ${FORMATS[issue.format] ?? issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${shownKeys(issue.keys)}`;
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid entry';
    case 'invalid_union':
      return 'matches none of the accepted forms';
    default:
      return undefined;
  }
};

/** A path segment shown as is; anything else is quoted (and clipped), so a hostile key cannot break the line. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * Where an issue is, as a person writes it: `clusters[2].servers[0]`,
 * `accounts["my app"]`, below `under` when given (`event.cluster`); the
 * document itself is `under`, or `(root)`.
 */
export function issuePath(path: readonly PropertyKey[], under?: string): string {
  let text = under ?? '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key) && key.length <= SHOWN_KEY_CHARS) text += text === '' ? key : `.${key}`;
    else {
      const name = String(key);
      text += `[${JSON.stringify(name.length <= SHOWN_KEY_CHARS ? name : `${name.slice(0, SHOWN_KEY_CHARS - 1)}…`)}]`;
    }
  }
  return text === '' ? '(root)' : text;
}
