import { describe, expect, it } from 'vitest';
import { counterId, createdTag } from '../../../lib/load/load-snapshot.js';

describe('the names counters are remembered by', () => {
  it('are the first 5 bytes of the SHA-1 of the group key, as every saved state holds them', () => {
    // Literals computed with createHash('sha1'): a change here would make every remembered group read as new.
    expect(counterId({ account: '$G', stream: 'ORDERS' })).toBe('+eP4Koo=');
    expect(counterId({ account: '$G', stream: 'ORDERS', consumer: 'C1' })).toBe('NTZbiMk=');
    expect(counterId({ account: 'APP', stream: 'stream-é' })).toBe('ZI7yDeg=');
  });

  it('tag a created time by the first byte of its SHA-1, and no created time by 0', () => {
    expect(createdTag({ created: '2026-11-23T14:27:45.566367214Z' })).toBe(85);
    expect(createdTag({})).toBe(0);
  });

  it('name a group object once: the same object gives the same id, an equal one too', () => {
    const group = { account: '$G', stream: 'ORDERS' };
    expect(counterId(group)).toBe(counterId(group));
    expect(counterId({ ...group })).toBe(counterId(group));
  });
});
