/** Command-line flags named in error messages (as `lib/config/option-specs.ts` spells them). */
export const CONNECTION_FLAGS = {
  server: '--servers',
  user: '--user',
  password: '--password',
  token: '--token',
  nkey: '--nkey',
  creds: '--creds',
  tlsCa: '--tls-ca',
  tlsCert: '--tls-cert',
  tlsKey: '--tls-key',
} as const;

/**
 * A connection flag or file is unusable. The message (`<flag>: <problem>`)
 * is safe to print; a caller that knows the value came from an environment
 * variable instead can print `problem` under that name.
 */
export class ConnectionOptionsError extends Error {
  /** The flag to blame, from {@link CONNECTION_FLAGS}. */
  readonly flag: string;
  /** The message without the flag prefix. */
  readonly problem: string;

  constructor(flag: string, problem: string, options?: { cause?: unknown }) {
    super(`${flag}: ${problem}`, options);
    this.name = 'ConnectionOptionsError';
    this.flag = flag;
    this.problem = problem;
  }
}
