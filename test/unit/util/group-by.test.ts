import { describe, expect, it } from 'vitest';
import { appendTo, groupBy } from '../../../lib/util/group-by.js';

describe('groupBy', () => {
  it('keeps keys in first-seen order and items in their order, leaving out an undefined key', () => {
    const grouped = groupBy(['b1', 'a1', 'x', 'b2', 'a2'], (s) => (s === 'x' ? undefined : s[0]));
    expect([...grouped]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
    ]);
  });

  it('appends to a list that exists and starts one that does not', () => {
    const map = new Map<string, number[]>([['a', [1]]]);
    appendTo(map, 'a', 2);
    appendTo(map, '', 3);
    expect([...map]).toEqual([
      ['a', [1, 2]],
      ['', [3]],
    ]);
  });
});
