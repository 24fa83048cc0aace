import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Names the env var that overrides the lookup. */
export const NATS_SERVER_BIN_ENV = 'NATS_SERVER_BIN';

// Debian's package installs into sbin, which is not on a normal user's PATH.
const WELL_KNOWN_PATHS = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'] as const;

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Path of a nats-server binary: `NATS_SERVER_BIN` when set (returned as given,
 * so a wrong value is reported rather than silently replaced), else the first
 * `nats-server` on PATH, else a well-known install location.
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env[NATS_SERVER_BIN_ENV]?.trim();
  if (override) return override;
  const executable = process.platform === 'win32' ? 'nats-server.exe' : 'nats-server';
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir.length > 0)
    .map((dir) => join(dir, executable));
  return [...onPath, ...WELL_KNOWN_PATHS].find(isExecutableFile);
}
