/**
 * Option values are read by plain tests (`OptionRule.accept`) and by zod only
 * when those refuse them, so a start given only valid options builds no
 * schema; zod words every error. Property: for every rule, on generated
 * text (digits with spaces, signs, points, exponents, huge numbers, the
 * enum words and near misses), both give the same verdict and value.
 *
 * Replay a failure with the seed and path fast-check prints (see property-runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rules, type OptionRule } from '../../../lib/config/read-options.js';
import { propertyRuns } from '../../support/property-runs.js';

const text = fc.oneof(
  fc.stringMatching(/^\s?\d{0,4}(\.\d{0,3})?\s?$/),
  fc.constantFrom('0', '1', '00', '600000', '600001', '9007199254740991', '9007199254740993', '9'.repeat(400), '1e3', '-1', '+1', '0x10', ' 7 ', '\t8\n', ''),
  fc.constantFrom('text', 'json', 'html', 'openmetrics', 'count', 'load', 'TEXT', ' json', 'loads'),
  fc.string({ maxLength: 6 }),
);

const all: Record<string, OptionRule<unknown>> = {
  positiveInt: rules.positiveInt('seconds'),
  nonNegativeNumber: rules.nonNegativeNumber('seconds'),
  intRange: rules.intRange('milliseconds', 0, 600_000),
  nonEmpty: rules.nonEmpty,
  format: rules.format,
  checkFormat: rules.checkFormat,
  rebalanceBy: rules.rebalanceBy,
};

describe('option rules read without zod (property-based)', () => {
  for (const [name, rule] of Object.entries(all)) {
    it(`${name}: the plain test accepts exactly what the schema accepts, with the same value`, () => {
      const seen = { accepted: 0, refused: 0 };
      fc.assert(
        fc.property(text, (value) => {
          const viaZod = rule.schema().safeParse(value);
          const viaTest = rule.accept(value);
          seen[viaZod.success ? 'accepted' : 'refused']++;
          expect(viaTest !== undefined).toBe(viaZod.success);
          if (viaZod.success) expect(viaTest).toEqual(viaZod.data);
        }),
        propertyRuns(3_000),
      );
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    });
  }
});
