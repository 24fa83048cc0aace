import { AuditUnavailableError, ConfigError } from '../errors.js';
import { ConnectionOptionsError } from '../sampling/connection-options.js';
import { GatherConfigError } from '../sampling/gather.js';
import { SampleFileError } from '../sampling/sample-file.js';
import { StateConflictError } from '../state/state-store.js';

/**
 * Errors whose message is the whole story for the operator: print it, no
 * stack trace. A module of its own so main.ts imports it (and the NATS
 * client behind these classes) only when a command failed.
 */
export const EXPECTED_ERRORS = [ConfigError, AuditUnavailableError, ConnectionOptionsError, GatherConfigError, SampleFileError, StateConflictError];

export function isExpectedError(error: unknown): error is Error {
  return EXPECTED_ERRORS.some((type) => error instanceof type);
}
