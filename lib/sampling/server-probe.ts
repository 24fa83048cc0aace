/**
 * A plain TCP look at a server before nats.js connects to it.
 *
 * Why: nats.js 2.29 leaks the socket when its connect timeout fires while
 * it still waits for the server's INFO line (`NodeTransport._closed` returns
 * early for a transport that never finished connecting). A SIGSTOPped or
 * wedged server accepts TCP in the kernel but never sends INFO, so every
 * epoch would leave a live socket behind and a CLI run would never exit.
 * Here we own the socket and always destroy it; nats.js is only asked to
 * connect to a server that just proved it answers.
 */
import { connect, type Socket } from 'node:net';

/** The INFO fields that decide how a TLS failure reads. */
export interface ProbedInfo {
  readonly tlsRequired: boolean;
  /** The server demands a client certificate (`verify: true`). */
  readonly tlsVerify: boolean;
}

export type ProbeResult =
  | { readonly ok: true; readonly info: ProbedInfo }
  | { readonly ok: false; readonly reason: 'timeout' | 'unreachable' | 'protocol'; readonly detail: string };

/** Bound on the greeting we buffer; an INFO with a long `connect_urls` list stays far below it. */
const MAX_GREETING_BYTES = 64 * 1024;

/** Resolves once the server has sent `INFO {...}\r\n`, or says why not. Never rejects. */
export function probeServer(hostname: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let received = '';
    let settled = false;
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.removeAllListeners();
      socket?.on('error', () => undefined);
      socket?.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          reason: 'timeout',
          detail: received === '' && socket?.remoteAddress === undefined
            ? `no TCP connection within ${timeoutMs} ms`
            : `TCP connected but no INFO from the server within ${timeoutMs} ms (server hung or overloaded)`,
        }),
      Math.max(0, timeoutMs),
    );
    try {
      socket = connect({ host: hostname, port });
    } catch (err) {
      settle({ ok: false, reason: 'unreachable', detail: (err as Error).message });
      return;
    }
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n') || received.length > MAX_GREETING_BYTES) {
        const info = parseInfo(received);
        settle(
          info === undefined
            ? { ok: false, reason: 'protocol', detail: 'the server did not greet with a NATS INFO line' }
            : { ok: true, info },
        );
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      settle({ ok: false, reason: 'unreachable', detail: err.code ?? err.message });
    });
    socket.on('close', () => {
      settle({ ok: false, reason: 'unreachable', detail: 'connection closed before the server greeted' });
    });
  });
}

function parseInfo(greeting: string): ProbedInfo | undefined {
  const m = /^INFO\s+(\{.*\})\s*\r\n/.exec(greeting);
  if (!m?.[1]) return undefined;
  try {
    const info = JSON.parse(m[1]) as { tls_required?: unknown; tls_verify?: unknown };
    return { tlsRequired: info.tls_required === true, tlsVerify: info.tls_verify === true };
  } catch {
    return undefined;
  }
}
