import { describe, expect, it } from 'vitest';
import { accountKeys, credentialsFor, describeAccount } from '../../lib/rebalance/account-ref.js';
import { noCredentials } from '../../lib/rebalance/execute.js';

const KEY = 'ACZSWBJ4SYILK7QVDELO64VX3EFWB6CXCPMEBN3PDTVNRHY3VKMGUPZN';

describe('credentials for an account, by name or (operator mode) public key', () => {
  it('finds credentials keyed by the configured name when JSZ gives no separate id', () => {
    // Prepare
    const credentials = new Map([['APP', 'app-auth']]);

    // Act / Assess
    expect(credentialsFor(credentials, { account: 'APP' })).toEqual({ key: 'APP', auth: 'app-auth' });
    expect(credentialsFor(credentials, { account: 'OTHER' })).toBeUndefined();
  });

  it('finds credentials keyed by the name tag or by the public key, the key first', () => {
    // Prepare
    const byTag = new Map([['orders', 'tag-auth']]);
    const byKey = new Map([[KEY, 'key-auth']]);
    const both = new Map([['orders', 'tag-auth'], [KEY, 'key-auth']]);
    const ref = { account: 'orders', accountId: KEY };

    // Act / Assess: the public key is unique, a name tag need not be.
    expect(credentialsFor(byTag, ref)).toEqual({ key: 'orders', auth: 'tag-auth' });
    expect(credentialsFor(byKey, ref)).toEqual({ key: KEY, auth: 'key-auth' });
    expect(credentialsFor(both, ref)).toEqual({ key: KEY, auth: 'key-auth' });
    expect(credentialsFor(byKey, { account: 'orders' })).toBeUndefined();
  });

  it('says which account lacked credentials and which keys would have matched', () => {
    // Act / Assess
    expect(describeAccount({ account: 'APP' })).toBe('APP');
    expect(accountKeys({ account: 'orders', accountId: KEY })).toBe(`"orders" or "${KEY}"`);
    expect(noCredentials({ account: 'orders', accountId: KEY })).toBe(
      `no credentials for account orders (public key ${KEY}): add an entry keyed "orders" or "${KEY}"`,
    );
    expect(noCredentials({ account: 'APP' })).toBe('no credentials for account APP: add an entry keyed "APP"');
  });
});
