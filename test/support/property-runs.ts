/**
 * fast-check settings shared by the property tests. A run picks a fresh seed
 * (so CI keeps exploring); a failure prints its seed and path, and these
 * variables replay it:
 *
 *   FAST_CHECK_SEED=1234 FAST_CHECK_PATH="5:2:1" npx vitest run --project unit test/unit/hostile
 *
 * FAST_CHECK_SCALE multiplies every property's runs for a deeper local search
 * (e.g. 10 before a release); it never lowers them.
 */
import type { Parameters } from 'fast-check';

function envNumber(name: string): number | undefined {
  const text = process.env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

function scale(): number {
  return Math.max(1, envNumber('FAST_CHECK_SCALE') ?? 1);
}

/** Parameters for `fc.assert`: `numRuns` scaled by FAST_CHECK_SCALE, seed and path from the environment. */
export function propertyRuns<T>(numRuns: number): Parameters<T> {
  const seed = envNumber('FAST_CHECK_SEED');
  const path = process.env.FAST_CHECK_PATH?.trim();
  return {
    numRuns: Math.round(numRuns * scale()),
    ...(seed === undefined ? {} : { seed }),
    ...(path ? { path } : {}),
  };
}

/** A test timeout for a property, scaled like its runs. */
export function propertyTimeout(ms: number): number {
  return ms * scale();
}
