/**
 * zod's rules for JSON values, as plain tests. Where a boundary meets valid
 * input almost always (a reply, the state file, a snapshot), it first tries
 * these: they check the same things without building a schema or copying
 * every object, so a CLI start meeting only valid input never builds zod's
 * schemas at all. Whatever they refuse goes to the zod schema, which decides
 * and words the issues; a property test holds each pair to one verdict.
 */
import type * as z from 'zod';

/** `z.object()` input: an object that is not an array (null is not one). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `z.number()`: NaN and ±Infinity (JSON.parse of `1e999`) are not numbers. */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `z.number().int()`: zod 4 takes only safe integers. */
export function isInteger(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/** `z.number().int().min(min)`. */
export function isWholeAtLeast(value: unknown, min: number): value is number {
  return isInteger(value) && value >= min;
}

/** `z.number().int().min(0)`: a count, an epoch, a revision. */
export function isCount(value: unknown): value is number {
  return isWholeAtLeast(value, 0);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

export function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

export function isOptional(value: unknown, test: (value: unknown) => boolean): boolean {
  return value === undefined || test(value);
}

export function isNullish(value: unknown, test: (value: unknown) => boolean): boolean {
  return value === undefined || value === null || test(value);
}

export function isArrayOf(value: unknown, test: (value: unknown) => boolean): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (!test(item)) return false;
  return true;
}

/**
 * `z.record(key, value)` over a parsed JSON object: every key and every value
 * passes. zod skips a `__proto__` key (JSON.parse makes it an own property)
 * and leaves it out of its copy; these tests pass the object itself on, so
 * they refuse one and let zod decide.
 */
export function isRecordOf(value: unknown, testKey: (key: string) => boolean, testValue: (value: unknown) => boolean): value is Record<string, unknown> {
  if (!isObject(value) || Object.hasOwn(value, '__proto__')) return false;
  for (const key of Object.keys(value)) if (!testKey(key) || !testValue(value[key])) return false;
  return true;
}

/**
 * `raw` read by its plain tests (`valid`) and, only when they refuse it, by
 * `schema`, which decides and words the issues: zod's result shape either way.
 */
export function readPlainFirst<T>(
  raw: unknown,
  valid: (raw: unknown) => T | undefined,
  schema: z.ZodType<T, unknown>,
  params?: z.core.ParseContext<z.core.$ZodIssue>,
): z.ZodSafeParseResult<T> {
  const read = valid(raw);
  return read !== undefined ? { success: true, data: read } : schema.safeParse(raw, params);
}
