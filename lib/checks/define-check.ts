import type { CheckDefinition } from './types.js';

/** Declares a check, typing `thresholds` in its `run` by the keys it declares. */
export function defineCheck<const Key extends string = never>(check: CheckDefinition<Key>): CheckDefinition<Key> {
  return check;
}
