import { describe, expect, it } from 'vitest';
import { andMore, firstOf, joinBounded, withinLines } from '../../../lib/util/bounded.js';

describe('bounded examples', () => {
  it('keep the first few and count the rest', () => {
    expect(firstOf(['a', 'b', 'c'], 3)).toEqual({ shown: ['a', 'b', 'c'], more: 0 });
    expect(firstOf(['a', 'b', 'c', 'd'], 2)).toEqual({ shown: ['a', 'b'], more: 2 });
  });

  it('spend one of the lines on the count when the list does not fit', () => {
    expect(withinLines(['a', 'b', 'c'], 3)).toEqual({ shown: ['a', 'b', 'c'], more: 0 });
    expect(withinLines(['a', 'b', 'c', 'd'], 3)).toEqual({ shown: ['a', 'b'], more: 2 });
  });

  it('say what was left out one way', () => {
    expect(andMore(12)).toBe('… and 12 more');
    expect(andMore(3, 'earlier epochs')).toBe('… and 3 earlier epochs');
    expect(joinBounded(['x', 'y', 'z'], 3, '; ')).toBe('x; y; z');
    expect(joinBounded(['x', 'y', 'z'], 1, '; ')).toBe('x; … and 2 more');
  });
});
