/**
 * Why a connection to one server failed, in the few kinds the checks act
 * on, with text an operator can read. Callers redact secrets; this module
 * only shortens and labels what nats.js and node report.
 */
import { ErrorCode } from 'nats';
import type { VantageErrorKind } from '../domain/raw-sample.js';

/** The gather deadline passed while a connect was still pending. */
export class EpochAbort extends Error {
  constructor() {
    super('gather deadline passed');
    this.name = 'EpochAbort';
  }
}

/** Maps a nats.js / socket error to a kind and a printable detail (redacted by the caller). */
export function classifyConnectError(err: unknown): { kind: VantageErrorKind; detail: string } {
  const e = err as { code?: unknown; message?: unknown; chainedError?: { code?: unknown; message?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : '';
  const chainedCode = typeof e?.chainedError?.code === 'string' ? e.chainedError.code : '';
  const message = tidy(typeof e?.message === 'string' ? e.message : String(err));
  const detail = chainedCode !== '' && chainedCode !== code ? `${message} (${chainedCode})` : message;
  const anyCode = (re: RegExp): boolean => re.test(code) || re.test(chainedCode);

  if (err instanceof EpochAbort) return { kind: 'timeout', detail: 'gather deadline passed while connecting' };
  switch (code) {
    case ErrorCode.AuthorizationViolation:
    case ErrorCode.AuthenticationExpired:
    case ErrorCode.AccountExpired:
    case ErrorCode.AuthenticationTimeout:
    case ErrorCode.BadAuthentication:
    case ErrorCode.BadCreds:
      return { kind: 'auth', detail: `authentication failed (${message})` };
    case ErrorCode.Tls:
      return { kind: 'tls', detail: `TLS failed (${detail})` };
    case ErrorCode.Timeout:
    case ErrorCode.ConnectionTimeout:
      return { kind: 'timeout', detail: 'connect timed out (TCP, TLS or handshake)' };
    case ErrorCode.ConnectionRefused:
      return { kind: 'unreachable', detail: `connection refused (${detail})` };
  }
  if (code === ErrorCode.ServerOptionNotAvailable && message === 'tls') {
    return { kind: 'tls', detail: 'TLS was requested but the server does not offer it' };
  }
  if (/alert (bad certificate|certificate required|unknown ca|certificate unknown)/.test(message)) {
    return { kind: 'tls', detail: `the server refused our client certificate, or its absence (${message})` };
  }
  if (anyCode(/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/)) {
    return { kind: 'tls', detail: `TLS failed (${detail}${code === '' ? '' : `, ${code}`})` };
  }
  if (anyCode(/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE)$/)) {
    return { kind: 'unreachable', detail: `${detail}${code === '' || detail.includes(code) ? '' : ` (${code})`}` };
  }
  if (anyCode(/^ETIMEDOUT$/)) return { kind: 'timeout', detail };
  return { kind: 'protocol', detail };
}

/** Bound on a library error text we pass through into the sample. */
const MAX_DETAIL_CHARS = 300;
/** OpenSSL's `<thread>:error:<code>:<lib>:<func>:<reason>:<file>:<line>:...` layout. */
const OPENSSL_ERROR = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/;

/** One line, no OpenSSL source paths: the reason is what an operator needs. */
function tidy(text: string): string {
  const reason = OPENSSL_ERROR.exec(text)?.[1] ?? text;
  return reason.replace(/\s+/g, ' ').trim().slice(0, MAX_DETAIL_CHARS);
}
