import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAccountCredentials } from '../../lib/config/account-credentials.js';
import { ConfigError } from '../../lib/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-audit-accounts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function errorOf(path: string): Promise<ConfigError> {
  try {
    await readAccountCredentials(path, '--accounts');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readAccountCredentials', () => {
  it('maps each account to one way of authenticating', async () => {
    const path = file('ok.json', JSON.stringify({
      accounts: { APP: { user: 'app', password: 'pw' }, B: { token: 't0k' }, C: { nkey: '/k.nk' }, D: { creds: '/d.creds' } },
    }));
    const credentials = await readAccountCredentials(path, '--accounts');
    expect(Object.fromEntries(credentials)).toEqual({
      APP: { user: 'app', password: 'pw' },
      B: { token: 't0k' },
      C: { nkeySeedFile: '/k.nk' },
      D: { credsFile: '/d.creds' },
    });
  });

  it('names the account whose entry mixes ways to authenticate, without echoing the secret', async () => {
    const path = file('mixed.json', JSON.stringify({ accounts: { APP: { user: 'app', password: 'hunter2-pw', token: 'tok-secret-9' } } }));
    const error = await errorOf(path);
    expect(error.field).toBe('--accounts');
    expect(error.message).toContain('accounts.APP: expected exactly one of {user, password}, {token}, {nkey: FILE} or {creds: FILE}');
    expect(error.message).not.toContain('hunter2-pw');
    expect(error.message).not.toContain('tok-secret-9');
  });

  it('reports a missing file, bad JSON and a missing accounts key by name', async () => {
    expect((await errorOf(join(dir, 'nope.json'))).message).toMatch(/^--accounts: cannot read .*nope\.json: ENOENT$/);
    expect((await errorOf(file('bad.json', '{"accounts": '))).message).toMatch(/bad\.json is not valid JSON$/);
    expect((await errorOf(file('empty.json', '{}'))).message).toMatch(/empty\.json: accounts: /);
  });

  it('says what is wrong in its own words, not zod\'s', async () => {
    expect((await errorOf(file('string.json', '"hunter2"'))).message).toMatch(/string\.json: \(root\): expected an object, got string$/);
    expect((await errorOf(file('extra.json', '{"accounts":{},"extra":1}'))).message).toMatch(/extra\.json: \(root\): unknown field "extra"$/);
  });
});
