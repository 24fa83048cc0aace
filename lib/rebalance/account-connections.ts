import { connect, type NatsConnection } from 'nats';
import { classifyConnectError } from '../sampling/connect-error.js';
import { sanitizeUrl, toNatsConnectionOptions, type AuthOptions, type TlsOptions } from '../sampling/connection-options.js';
import { credentialsFor, describeAccount, type AccountRef } from './account-ref.js';

export interface AccountConnectionTarget {
  /** The cluster's URLs; tried in order until one accepts. */
  readonly servers: readonly string[];
  readonly tls: TlsOptions;
  readonly timeoutMs: number;
}

export interface AccountConnections {
  /** A connection as the account's user, or undefined when no credentials are known for it (by public key or name). */
  get(account: AccountRef): Promise<NatsConnection | undefined>;
  /** Whether credentials are known for the account, by its public key or its name. */
  has(account: AccountRef): boolean;
  closeAll(): Promise<void>;
}

/**
 * One connection per credentials entry, opened on first use through the
 * first server that accepts it. `credentials` is keyed by account name or,
 * in operator mode, by name tag or public key (see account-ref.ts).
 */
export function accountConnections(
  target: AccountConnectionTarget,
  credentials: ReadonlyMap<string, AuthOptions>,
  connectionName: string,
): AccountConnections {
  const open = new Map<string, Promise<NatsConnection>>();
  const connectAs = async (account: AccountRef, auth: AuthOptions): Promise<NatsConnection> => {
    let last = 'no server to connect to';
    for (const url of target.servers) {
      try {
        // The URLs may carry the system user's credentials; this connection is the account's own.
        const options = await toNatsConnectionOptions(sanitizeUrl(url), auth, target.tls, { name: connectionName, timeoutMs: target.timeoutMs });
        return await connect(options);
      } catch (error) {
        const { kind, detail } = classifyConnectError(error);
        last = `${kind}: ${sanitizeUrl(url)}: ${detail}`;
      }
    }
    throw new Error(`could not connect as account ${describeAccount(account)} (${last})`);
  };
  return {
    get: (account) => {
      const found = credentialsFor(credentials, account);
      if (!found) return Promise.resolve(undefined);
      // By the entry that matched: the same account named by tag and by key shares one connection.
      let connection = open.get(found.key);
      if (!connection) open.set(found.key, (connection = connectAs(account, found.auth)));
      return connection;
    },
    has: (account) => credentialsFor(credentials, account) !== undefined,
    closeAll: async () => {
      for (const connection of open.values()) await (await connection.catch(() => undefined))?.close();
    },
  };
}
