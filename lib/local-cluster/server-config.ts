/** Everything one server's config file says. */
export interface ServerConfigInput {
  readonly serverName: string;
  readonly clusterName: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /**
   * Where this server claims its route listener is. Servers gossip this
   * address to each other and dial it to complete the mesh; pointing it at a
   * port where nothing listens keeps every route on the proxied path.
   */
  readonly advertisePort: number;
  /** Loopback ports of the `routes` list, in order. */
  readonly routePorts: readonly number[];
  readonly storeDir: string;
  readonly systemPassword: string;
  readonly appPassword: string;
}

export const SYSTEM_USER = 'sys';
export const APP_USER = 'app';
export const SYSTEM_ACCOUNT = 'SYS';
export const APP_ACCOUNT = 'APP';

const LOOPBACK = '127.0.0.1';

/** A double-quoted config string; nats-server's parser takes JSON-style escapes. */
function quoted(value: string): string {
  return JSON.stringify(value);
}

/** The nats-server config text (the `-c` file) for one cluster member. */
export function renderServerConfig(input: ServerConfigInput): string {
  const routes = input.routePorts.map((port) => `      ${quoted(`nats-route://${LOOPBACK}:${port}`)}`);
  return [
    `server_name: ${quoted(input.serverName)}`,
    `listen: ${quoted(`${LOOPBACK}:${input.clientPort}`)}`,
    '',
    'jetstream {',
    `  store_dir: ${quoted(input.storeDir)}`,
    '}',
    '',
    'cluster {',
    `  name: ${quoted(input.clusterName)}`,
    `  listen: ${quoted(`${LOOPBACK}:${input.clusterPort}`)}`,
    `  advertise: ${quoted(`${LOOPBACK}:${input.advertisePort}`)}`,
    '  routes: [',
    ...routes,
    '  ]',
    '}',
    '',
    'accounts {',
    `  ${SYSTEM_ACCOUNT}: {`,
    `    users: [ { user: ${quoted(SYSTEM_USER)}, password: ${quoted(input.systemPassword)} } ]`,
    '  }',
    `  ${APP_ACCOUNT}: {`,
    '    jetstream: enabled',
    `    users: [ { user: ${quoted(APP_USER)}, password: ${quoted(input.appPassword)} } ]`,
    '  }',
    '}',
    `system_account: ${SYSTEM_ACCOUNT}`,
    '',
  ].join('\n');
}
