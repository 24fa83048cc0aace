/**
 * Whether a parsed JSON value holds a `__proto__` key anywhere. zod skips one
 * in a record; the plain tests (lib/util/plain-tests.ts) refuse it and leave
 * the value to zod, the one place their verdicts may differ.
 */
export function holdsProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some(holdsProtoKey);
}
