/**
 * The property the plain tests (lib/util/plain-tests.ts) are held to: the
 * same verdict as their zod schema, and the same result when valid.
 */
import { expect } from 'vitest';

/**
 * Whether a parsed JSON value holds a `__proto__` key anywhere. zod skips one
 * in a record; the plain tests refuse it and leave the value to zod, the one
 * place their verdicts may differ.
 */
export function holdsProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some(holdsProtoKey);
}

/** Both sides of the verdicts seen: a property that met only one proved little. */
export interface VerdictsSeen {
  accepted: number;
  refused: number;
}

/** One verdict and result for `raw`; the plain tests may refuse what zod accepts only over a `__proto__` key. */
export function expectSameVerdict<T>(
  raw: unknown,
  viaZod: { success: true; data: T } | { success: false },
  viaTests: T | undefined,
  seen: VerdictsSeen,
): void {
  seen[viaZod.success ? 'accepted' : 'refused']++;
  if (viaZod.success && viaTests === undefined) {
    expect(holdsProtoKey(raw), 'refused without a __proto__ key').toBe(true);
    return;
  }
  expect(viaTests !== undefined).toBe(viaZod.success);
  if (viaZod.success) expect(viaTests).toEqual(viaZod.data);
}
