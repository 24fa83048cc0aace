import { describe, expect, it } from 'vitest';
import { compareText } from '../../../lib/util/compare-text.js';

describe('compareText', () => {
  it('orders by code unit: upper case before lower, digits before letters, a prefix first', () => {
    expect(['nats-b', 'nats-B', 'nats-10', 'nats-1', 'Nats-a', 'nats'].sort(compareText)).toEqual(['Nats-a', 'nats', 'nats-1', 'nats-10', 'nats-B', 'nats-b']);
  });

  it('ties only on equal text, so no two different names share a place', () => {
    expect(compareText('n1', 'n1')).toBe(0);
    expect(compareText('n1', 'N1')).not.toBe(0);
    expect(compareText('a\u0000b', 'a\u0000c')).toBeLessThan(0);
  });
});
