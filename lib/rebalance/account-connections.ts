import { connect, type NatsConnection } from 'nats';
import { classifyConnectError } from '../sampling/connect-error.js';
import { sanitizeUrl, toNatsConnectionOptions, type AuthOptions, type TlsOptions } from '../sampling/connection-options.js';

export interface AccountConnectionTarget {
  /** The cluster's URLs; tried in order until one accepts. */
  readonly servers: readonly string[];
  readonly tls: TlsOptions;
  readonly timeoutMs: number;
}

export interface AccountConnections {
  /** A connection as the account's user, or undefined when no credentials are known for it. */
  get(account: string): Promise<NatsConnection | undefined>;
  closeAll(): Promise<void>;
}

/** One connection per account, opened on first use through the first server that accepts it. */
export function accountConnections(
  target: AccountConnectionTarget,
  credentials: ReadonlyMap<string, AuthOptions>,
  connectionName: string,
): AccountConnections {
  const open = new Map<string, Promise<NatsConnection>>();
  const connectAs = async (account: string, auth: AuthOptions): Promise<NatsConnection> => {
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
    throw new Error(`could not connect as account ${account} (${last})`);
  };
  return {
    get: (account) => {
      const auth = credentials.get(account);
      if (!auth) return Promise.resolve(undefined);
      let connection = open.get(account);
      if (!connection) open.set(account, (connection = connectAs(account, auth)));
      return connection;
    },
    closeAll: async () => {
      for (const connection of open.values()) await (await connection.catch(() => undefined))?.close();
    },
  };
}
