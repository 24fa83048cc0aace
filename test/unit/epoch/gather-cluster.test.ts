import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { endpointsToAsk } from '../../../lib/epoch/gather-cluster.js';

describe('endpointsToAsk', () => {
  const registry = defaultRegistry();

  it('asks for every endpoint while server_reply_invalid, which reads every reply, runs', () => {
    expect(endpointsToAsk(registry, new Set())).toEqual(['JSZ', 'ROUTEZ', 'RAFTZ']);
    expect(endpointsToAsk(registry, new Set(['route_missing', 'meta_leader_disagreement']))).toEqual(['JSZ', 'ROUTEZ', 'RAFTZ']);
  });

  it('leaves out an endpoint no check that runs reads', () => {
    expect(endpointsToAsk(registry, new Set(['route_missing', 'server_reply_invalid']))).toEqual(['JSZ', 'RAFTZ']);
    expect(endpointsToAsk(registry, new Set(['meta_leader_disagreement', 'server_reply_invalid']))).toEqual(['JSZ', 'ROUTEZ']);
  });

  it('always asks for JSZ, which the epoch itself reads', () => {
    expect(endpointsToAsk(registry, new Set(registry.ids()))).toEqual(['JSZ']);
  });
});
