/**
 * Which account a group belongs to, as JSZ reports it. With accounts in the
 * server config the name is all there is. In operator mode (decentralised
 * JWT auth) JSZ's `name` is the account JWT's name tag and `id` its public
 * key; an operator may key credentials by either, so both are tried.
 */
export interface AccountRef {
  /** JSZ's account `name`: the name tag in operator mode, else the configured name. */
  readonly account: string;
  /** The public key in operator mode, when it differs from `account`. */
  readonly accountId?: string;
}

/** The credentials keyed by the account's public key, else by its name; with the key that matched. */
export function credentialsFor<T>(credentials: ReadonlyMap<string, T>, ref: AccountRef): { readonly key: string; readonly auth: T } | undefined {
  // The public key first: it is unique, while two accounts may carry the same name tag.
  for (const key of ref.accountId === undefined ? [ref.account] : [ref.accountId, ref.account]) {
    const auth = credentials.get(key);
    if (auth !== undefined) return { key, auth };
  }
  return undefined;
}

/** `APP`, or `APP (public key ACZ...)` in operator mode: never anything secret. */
export function describeAccount(ref: AccountRef): string {
  return ref.accountId === undefined ? ref.account : `${ref.account} (public key ${ref.accountId})`;
}

/** Which keys would have matched, for a message telling the operator what to add. */
export function accountKeys(ref: AccountRef): string {
  return ref.accountId === undefined ? `"${ref.account}"` : `"${ref.account}" or "${ref.accountId}"`;
}
