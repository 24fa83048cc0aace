import { describe, expect, it } from 'vitest';
import { itemBytes } from '../../bench/cost.js';

describe("the cost bench's DynamoDB item size", () => {
  it('counts a binary attribute by its bytes, as DynamoDB bills it, not by its JSON spelling', () => {
    // 1 + 1000 bytes for the binary, 2 + 5 for the string, 1 + (2 digits / 2 + 1) for the number
    expect(itemBytes({ b: { B: new Uint8Array(1000).fill(255) }, pk: { S: 'hello' }, n: { N: '42' } })).toBe(1001 + 7 + 3);
  });
});
