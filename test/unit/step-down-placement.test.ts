import { describe, expect, it } from 'vitest';
import { stepDownsNameLeader } from '../../lib/rebalance/step-down-placement.js';

describe('whether step-downs may name the next leader', () => {
  it('yes when every server reports JetStream API level 1 or more (2.11+)', () => {
    expect(stepDownsNameLeader([{ apiLevel: 1 }, { apiLevel: 5 }])).toBe(true);
  });

  it('no when any server reports no level (before 2.11), as in a cluster halfway through an upgrade', () => {
    expect(stepDownsNameLeader([{ apiLevel: 5 }, { apiLevel: undefined }])).toBe(false);
    expect(stepDownsNameLeader([{ apiLevel: 0 }])).toBe(false);
  });

  it('no for a cluster with no servers heard', () => {
    expect(stepDownsNameLeader([])).toBe(false);
  });
});
