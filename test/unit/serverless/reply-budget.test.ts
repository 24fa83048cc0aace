import { describe, expect, it } from 'vitest';
import { GATHER_DEFAULTS } from '../../../lib/sampling/gather.js';
import { replyBudgetBytes } from '../../../lib/serverless/reply-budget.js';

const MIB = 1024 * 1024;

describe('replyBudgetBytes', () => {
  it.each([
    [1024, 256 * MIB],
    [512, 128 * MIB],
    [256, Math.floor((128 * MIB) / 3)],
    [128, 8 * MIB],
  ])('keeps a %i MB function\'s replies at %i bytes: a third of what is left after the runtime', (memoryMb, bytes) => {
    expect(replyBudgetBytes(memoryMb)).toBe(bytes);
  });

  it('never raises the budget above the gatherer default, and keeps it where the memory is unknown', () => {
    expect(replyBudgetBytes(10_240)).toBe(GATHER_DEFAULTS.maxSampleBytes);
    expect(replyBudgetBytes(undefined)).toBe(GATHER_DEFAULTS.maxSampleBytes);
    expect(replyBudgetBytes(Number.NaN)).toBe(GATHER_DEFAULTS.maxSampleBytes);
  });
});
