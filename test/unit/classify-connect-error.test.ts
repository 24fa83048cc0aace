import { NatsError, ErrorCode } from 'nats';
import { describe, expect, it } from 'vitest';
import { classifyConnectError } from '../../lib/sampling/connect-error.js';

function errno(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyConnectError', () => {
  it.each([
    [new NatsError('Authorization Violation', ErrorCode.AuthorizationViolation), 'auth'],
    [new NatsError('User Authentication Expired', ErrorCode.AuthenticationExpired), 'auth'],
    [NatsError.errorForCode(ErrorCode.ConnectionRefused, errno('ECONNREFUSED')), 'unreachable'],
    [errno('ENOTFOUND', 'getaddrinfo ENOTFOUND nats.invalid'), 'unreachable'],
    [errno('ECONNRESET', 'read ECONNRESET'), 'unreachable'],
    [NatsError.errorForCode(ErrorCode.Timeout), 'timeout'],
    [errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'tls'],
    [errno('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'tls'],
    [new NatsError('tls', ErrorCode.ServerOptionNotAvailable), 'tls'],
    [new NatsError("'Unknown Protocol Operation'", ErrorCode.ProtocolError), 'protocol'],
    ['a thrown string', 'protocol'],
  ] as const)('%s -> %s', (err, kind) => {
    expect(classifyConnectError(err).kind).toBe(kind);
  });

  it('keeps one line of an OpenSSL error: the reason, not the source path', () => {
    // Prepare
    const err = errno(
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      '801C2C8AEE7F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n',
    );
    // Act
    const { kind, detail } = classifyConnectError(err);
    // Assess
    expect(kind).toBe('tls');
    expect(detail).toBe('the server refused our client certificate, or its absence (sslv3 alert bad certificate)');
  });
});
