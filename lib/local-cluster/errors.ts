/** Thrown when no nats-server binary can be found or run. */
export class NatsServerMissingError extends Error {
  override readonly name = 'NatsServerMissingError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `nats-server is needed to run a local cluster but ${detail}. ` +
        'Install it with `apt-get install nats-server` (Debian/Ubuntu) or download a release from ' +
        'https://github.com/nats-io/nats-server/releases, then put it on PATH or set NATS_SERVER_BIN to its path.',
      options,
    );
  }
}

/** Thrown when a server process exits or stays silent while it should be starting. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  constructor(
    readonly serverName: string,
    reason: string,
    readonly lastLogLines: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `nats-server ${serverName} did not start: ${reason}` +
        (lastLogLines.length > 0 ? `\nlast log lines of ${serverName}:\n  ${lastLogLines.join('\n  ')}` : ''),
      options,
    );
  }
}

/** Thrown when the asked servers do not agree on one meta leader in time. */
export class MetaLeaderTimeoutError extends Error {
  override readonly name = 'MetaLeaderTimeoutError';
  constructor(
    readonly timeoutMs: number,
    readonly views: Readonly<Record<string, string | undefined>>,
    readonly lastReason?: string,
    /** What the wait did meanwhile (silent servers probed, restarted), oldest first. */
    readonly actions: readonly string[] = [],
  ) {
    const listed = Object.entries(views)
      .map(([server, leader]) => `${server} -> ${leader ?? '(none)'}`)
      .join(', ');
    super(
      `servers did not agree on one meta leader within ${timeoutMs} ms; last views: ${listed || '(no server answered)'}` +
        (lastReason === undefined ? '' : `; last reason: ${lastReason}`) +
        (actions.length === 0 ? '' : `; during the wait: ${actions.join('; ')}`),
    );
  }
}

/** Thrown when a cluster method is given a server name the cluster does not have. */
export class UnknownServerError extends Error {
  override readonly name = 'UnknownServerError';
  constructor(serverName: string, known: readonly string[]) {
    super(`no server named "${serverName}" in this cluster; servers are ${known.join(', ')}`);
  }
}

/** Thrown when routes between running servers on healthy links do not all come up in time. */
export class RouteMeshTimeoutError extends Error {
  override readonly name = 'RouteMeshTimeoutError';
  constructor(
    readonly timeoutMs: number,
    readonly missing: readonly string[],
  ) {
    super(`route mesh incomplete after ${timeoutMs} ms; missing routes (server-peer): ${missing.join(', ')}`);
  }
}
