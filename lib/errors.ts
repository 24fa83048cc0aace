/**
 * Errors a user can act on. Each carries a message meant to be printed as is
 * (no stack trace): the CLI prints `message` and exits 3 (UNKNOWN).
 */

/** A flag, environment variable or file the operator gave is wrong; names the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** The auditor could not run its checks at all (authorization refused, not the system account). */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A saved state was unreadable; the caller reports it and starts from an empty state. */
export class StateCorruptError extends Error {
  override readonly name = 'StateCorruptError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
