import { ErrorCode, NatsError } from 'nats';
import { describe, expect, it } from 'vitest';
import { isElectionGap } from '../../lib/local-cluster/jetstream-fixtures.js';

function apiError(code: number, errCode: number): NatsError {
  const error = new NatsError('api error', String(code));
  error.api_error = { code, err_code: errCode, description: 'x' };
  return error;
}

describe('isElectionGap: which failed creates the fixtures send again', () => {
  it('an unanswered request, no responders and "temporarily unavailable" (10008) are an election passing', () => {
    expect(isElectionGap(new NatsError('timeout', ErrorCode.Timeout))).toBe(true);
    expect(isElectionGap(new NatsError('no responders', ErrorCode.NoResponders))).toBe(true);
    expect(isElectionGap(apiError(503, 10008))).toBe(true);
  });

  it('a refused create, a permission error or anything not from NATS is the caller\'s', () => {
    // 10058: stream name already in use with a different configuration.
    expect(isElectionGap(apiError(400, 10058))).toBe(false);
    expect(isElectionGap(new NatsError('denied', ErrorCode.PermissionsViolation))).toBe(false);
    expect(isElectionGap(new Error('TIMEOUT'))).toBe(false);
    expect(isElectionGap(undefined)).toBe(false);
  });
});
