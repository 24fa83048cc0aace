import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ConfigError } from '../errors.js';
import type { AuthOptions } from '../sampling/connection-options.js';
import { issuePath, issueText } from '../util/issue-text.js';

/**
 * Stream and consumer step-downs act in the account of the requester, so a
 * rebalance needs a user in each account that owns groups to move. The file
 * maps the account, as JSZ reports it, to one way of authenticating. In
 * operator mode (JWT accounts) the key may be the account's name tag or its
 * public key (see rebalance/account-ref.ts):
 *
 *   { "accounts": { "APP": { "user": "app", "password": "..." },
 *                   "ORDERS": { "creds": "/etc/nats/orders.creds" },
 *                   "ACZSWBJ4SYILK7QV...": { "creds": "/etc/nats/billing.creds" } } }
 */
const accountAuthSchema = z.union(
  [
    z.strictObject({ user: z.string().min(1), password: z.string() }),
    z.strictObject({ token: z.string().min(1) }),
    z.strictObject({ nkey: z.string().min(1) }),
    z.strictObject({ creds: z.string().min(1) }),
  ],
  { error: 'expected exactly one of {user, password}, {token}, {nkey: FILE} or {creds: FILE}' },
);

const accountCredentialsSchema = z.strictObject({
  accounts: z.record(z.string().min(1), accountAuthSchema),
});

export type AccountCredentials = ReadonlyMap<string, AuthOptions>;

export async function readAccountCredentials(path: string, source: string): Promise<AccountCredentials> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(source, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(source, `${path} is not valid JSON`);
  }
  const parsed = accountCredentialsSchema.safeParse(json, { error: issueText });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // Name the field, never its value: the file holds passwords.
    throw new ConfigError(source, `${path}: ${issuePath(issue.path)}: ${issue.message}`);
  }
  return new Map(
    Object.entries(parsed.data.accounts).map(([account, auth]): [string, AuthOptions] => {
      if ('user' in auth) return [account, { user: auth.user, password: auth.password }];
      if ('token' in auth) return [account, { token: auth.token }];
      if ('nkey' in auth) return [account, { nkeySeedFile: auth.nkey }];
      return [account, { credsFile: auth.creds }];
    }),
  );
}
