import { describe, expect, it } from 'vitest';
import { compareGroups, groupKey } from '../../../lib/domain/group-key.js';

describe('group keys', () => {
  it('tell apart groups whose names only join up the same', () => {
    expect(groupKey({ account: 'ab', stream: 'c' })).not.toBe(groupKey({ account: 'a', stream: 'bc' }));
  });

  it('order by account, then stream, a stream before its consumers, by code unit whatever the locale', () => {
    const groups = [
      { account: 'APP', stream: 'orders', consumer: 'c1' },
      { account: 'APP', stream: 'orders' },
      { account: 'APP', stream: 'Orders' },
      { account: 'A', stream: 'PPorders' },
    ];
    expect([...groups].sort(compareGroups)).toEqual([
      { account: 'A', stream: 'PPorders' },
      { account: 'APP', stream: 'Orders' },
      { account: 'APP', stream: 'orders' },
      { account: 'APP', stream: 'orders', consumer: 'c1' },
    ]);
  });
});
