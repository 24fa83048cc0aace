import { parseArgs } from 'node:util';
import * as z from 'zod';
import { ConfigError } from '../errors.js';
import { issueText } from '../util/issue-text.js';
import type { OptionSpec } from './option-specs.js';
import { errorText } from '../util/error-text.js';

/** A value the operator gave, and where it came from, so errors can name that place. */
export interface Given<T> {
  readonly value: T;
  /** `--flag` or the environment variable's name. */
  readonly source: string;
}

export type GivenOptions<S extends Record<string, OptionSpec>> = {
  [K in keyof S]?: Given<S[K]['type'] extends 'boolean' ? boolean : S[K] extends { multiple: true } ? string[] : string>;
};

/**
 * Reads flags, then the environment for whatever no flag set. Unknown flags
 * and stray arguments are errors: a typo must not silently fall back to a
 * default during an incident.
 */
export function readOptions<S extends Record<string, OptionSpec>>(
  specs: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): GivenOptions<S> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const spec of Object.values(specs)) options[spec.flag] = { type: spec.type, multiple: spec.multiple === true };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError('arguments', cleanParseArgsMessage(error));
  }
  const result: Record<string, Given<unknown>> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const fromFlag = parsed.values[spec.flag];
    if (fromFlag !== undefined) {
      result[key] = { value: fromFlag, source: `--${spec.flag}` };
      continue;
    }
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      result[key] = { value: spec.multiple ? [fromEnv] : fromEnv, source: spec.env! };
    }
  }
  return result as GivenOptions<S>;
}

function cleanParseArgsMessage(error: unknown): string {
  // A stray word is most often a value whose flag was forgotten, such as a
  // password: never echo it.
  if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return 'unexpected argument: every value must follow its flag (e.g. --servers URL); see --help';
  }
  const message = errorText(error);
  // parseArgs appends advice about `--` that does not apply to this CLI, and
  // quotes an option it does not know whole: `--=VALUE` would show the value.
  const cleaned = message
    .replace(/\. To specify a positional argument.*$/s, '')
    .replace(/('--[^'=\s]*)=[^']*'/g, "$1=…'")
    .replace(/\s+/g, ' ')
    .trim();
  return clipProblem(cleaned);
}

/**
 * How one option's value is read: a plain test that returns the value for
 * valid input (so a start given only valid options builds no zod schema),
 * and the zod schema, built on demand, that defines the rule and words the
 * error for anything the test refuses. A property test holds the two to one
 * verdict and result.
 */
export interface OptionRule<T> {
  readonly accept: (value: unknown) => T | undefined;
  readonly schema: () => z.ZodType<T>;
}

/** Validates one given value; the error names its flag or variable. */
export function validate<T>(given: Given<unknown> | undefined, rule: OptionRule<T>): T | undefined {
  if (given === undefined) return undefined;
  const accepted = rule.accept(given.value);
  if (accepted !== undefined) return accepted;
  const parsed = rule.schema().safeParse(given.value, { error: issueText });
  if (parsed.success) return parsed.data;
  throw new ConfigError(given.source, describeIssue(parsed.error, given));
}

function describeIssue(error: z.ZodError, given: Given<unknown>): string {
  const issue = error.issues[0];
  const shown = typeof given.value === 'string' ? shownValue(given.value, given.source) : undefined;
  return `${issue?.message ?? 'invalid value'}${shown === undefined ? '' : ` (got ${shown})`}`;
}

/** Longest problem text quoted from elsewhere (parseArgs, URL parsing). */
const MAX_PROBLEM_CHARS = 200;
/** Longest given value an error quotes. */
const MAX_SHOWN_CHARS = 60;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** A problem worded elsewhere that may quote what was given: a line's worth of it. */
export function clipProblem(problem: string): string {
  return clip(problem, MAX_PROBLEM_CHARS);
}

/**
 * How an error may quote a given value, if at all: never a secret's, never
 * one holding user info (`nats://user:password@host` in the wrong variable),
 * quoted so a control character cannot break the line, and clipped.
 */
export function shownValue(value: string, source: string): string | undefined {
  if (isSecretSource(source) || value.includes('@')) return undefined;
  return JSON.stringify(clip(value, MAX_SHOWN_CHARS));
}

/** Never echo what was given for a secret, even in an error. */
export function isSecretSource(source: string): boolean {
  return /password|token|NATS_PASSWORD|NATS_TOKEN/i.test(source);
}

/** A whole number written in digits, as the schemas' `/^\d+$/` and `.int()` read it. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : undefined;
}

function oneOf<const T extends string>(values: readonly [T, ...T[]], error: string): OptionRule<T> {
  return {
    accept: (value) => (values.includes(value as T) ? (value as T) : undefined),
    schema: () => z.enum(values, { error }),
  };
}

export const rules = {
  positiveInt: (what: string): OptionRule<number> => ({
    accept: (value) => {
      const number = wholeNumber(value);
      return number !== undefined && number >= 1 ? number : undefined;
    },
    schema: () =>
      z.string().trim().regex(/^\d+$/, `must be a whole number of ${what}`).transform(Number).pipe(z.number().int().min(1, `must be at least 1 ${what}`)),
  }),
  nonNegativeNumber: (what: string): OptionRule<number> => ({
    accept: (value) => {
      if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
      const number = Number(value.trim());
      return Number.isFinite(number) ? number : undefined;
    },
    schema: () =>
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/, `must be a number of ${what}`)
        .transform(Number)
        // 400 nines read as Infinity.
        .pipe(z.number({ error: `is too large a number of ${what}` })),
  }),
  intRange: (what: string, min: number, max: number): OptionRule<number> => ({
    accept: (value) => {
      const number = wholeNumber(value);
      return number !== undefined && number >= min && number <= max ? number : undefined;
    },
    schema: () =>
      z
        .string()
        .trim()
        .regex(/^\d+$/, `must be a whole number of ${what}`)
        .transform(Number)
        .pipe(z.number().int().min(min, `must be at least ${min} ${what}`).max(max, `must be at most ${max} ${what}`)),
  }),
  nonEmpty: {
    accept: (value) => (typeof value === 'string' && value.length > 0 ? value : undefined),
    schema: () => z.string().min(1, 'must not be empty'),
  } satisfies OptionRule<string>,
  format: oneOf(['text', 'json'], 'must be text or json'),
  checkFormat: oneOf(['text', 'json', 'html', 'openmetrics'], 'must be text, json, html or openmetrics'),
  rebalanceBy: oneOf(['count', 'load'], 'must be count or load'),
} as const;
