import { describe, expect, it } from 'vitest';
import { supportsPreferredStepDown, versionAtLeast } from '../../lib/rebalance/server-version.js';

describe('versionAtLeast', () => {
  it('compares major, minor and patch numerically, ignoring pre-release suffixes', () => {
    expect(versionAtLeast('2.11.0', 2, 11)).toBe(true);
    expect(versionAtLeast('2.10.29', 2, 11)).toBe(false);
    expect(versionAtLeast('2.9.10', 2, 9, 15)).toBe(false);
    expect(versionAtLeast('2.12.0-beta.1', 2, 11)).toBe(true);
    expect(versionAtLeast('v3.0.0', 2, 11)).toBe(true);
    expect(versionAtLeast('garbage', 2, 0)).toBe(false);
  });
});

describe('supportsPreferredStepDown', () => {
  it('needs every server of the cluster at 2.11.0 or later', () => {
    expect(supportsPreferredStepDown(['2.11.1', '2.12.0'])).toBe(true);
    expect(supportsPreferredStepDown(['2.11.1', '2.9.10'])).toBe(false);
    expect(supportsPreferredStepDown([])).toBe(false);
  });
});
