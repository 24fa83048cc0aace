import { describe, expect, it } from 'vitest';
import { nodeIdOf, nrgSenderOf } from '../../lib/local-cluster/nrg-sender.js';

const bytes = (length: number, id: string, at: number): Uint8Array => {
  const b = new Uint8Array(length);
  b.set(new TextEncoder().encode(id), at);
  return b;
};

describe('who sent a meta-group Raft message', () => {
  it('derives node ids as nats-server does (ids read from real 2.10.27 logs)', () => {
    expect(['n1', 'n2', 'n3'].map(nodeIdOf)).toEqual(['fjFyEjc1', '44jzkV9D', 'BXScrY9i']);
  });

  it('reads the leader of an append entry, the peer of a response and the candidate of a vote request', () => {
    expect(nrgSenderOf('$NRG.AE._meta_', bytes(42, 'fjFyEjc1', 0))).toBe('fjFyEjc1');
    expect(nrgSenderOf('$NRG.R.gCkTlRmb', bytes(25, 'BXScrY9i', 16))).toBe('BXScrY9i');
    expect(nrgSenderOf('$NRG.R.3o58rJkL', bytes(17, '44jzkV9D', 8))).toBe('44jzkV9D');
    expect(nrgSenderOf('$NRG.V._meta_', bytes(32, 'BXScrY9i', 24))).toBe('BXScrY9i');
  });

  it('names no sender for subjects and lengths it does not know', () => {
    expect(nrgSenderOf('$NRG.P._meta_', bytes(32, 'BXScrY9i', 24))).toBeUndefined();
    expect(nrgSenderOf('$NRG.R.x', bytes(30, 'BXScrY9i', 16))).toBeUndefined();
    expect(nrgSenderOf('$NRG.V._meta_', bytes(17, 'BXScrY9i', 8))).toBeUndefined();
    expect(nrgSenderOf('$NRG.AE._meta_', new Uint8Array(3))).toBeUndefined();
  });
});
