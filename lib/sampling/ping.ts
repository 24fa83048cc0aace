/**
 * One system-account PING: a single publish that every reachable server
 * answers once, collected until the expected servers have answered or a
 * deadline passes. Bytes are decompressed and timed, never interpreted
 * beyond the server id needed to count answers.
 */
import { gunzipSync } from 'node:zlib';
import { createInbox, headers, Match, type Msg, type NatsConnection } from 'nats';
import type { Endpoint, RawReply, RawRequest } from '../domain/raw-sample.js';
import { serverIdOf } from '../domain/reply-identity.js';

export interface CollectPingOptions {
  /**
   * How many distinct servers must answer before collection stops early;
   * read again after every reply (and on `onExpectedChange`), so it may grow
   * as replies reveal the cluster size. `undefined` means "wait for the deadline".
   */
  readonly expected: () => number | undefined;
  /** Milliseconds after publishing at which collection stops regardless. */
  readonly deadlineMs: number;
  /** Cap on a reply body after decompression (gzip-bomb protection). */
  readonly maxReplyBytes: number;
  /** Sees each reply as it arrives, e.g. to learn `cluster_size` from JSZ. */
  readonly onReply?: (reply: RawReply) => void;
  /**
   * Lets `expected` change without a reply on this subject (another request
   * learned the cluster size): register a listener, get an unsubscribe back.
   */
  readonly onExpectedChange?: (listener: () => void) => () => void;
  /** Aborting ends collection with `ended: 'error'` and the reason as `error`. */
  readonly signal?: AbortSignal;
  /** Wall clock for `sentAt`/`receivedAt`; latencies use the monotonic clock. */
  readonly now?: () => number;
  /**
   * Subject to publish to instead of the PING, e.g. {@link serverSubject}
   * to ask one server (which then is the only one to answer).
   */
  readonly subject?: string;
  /** Decompressed bytes left for the whole epoch, shared by its requests (see {@link ReplyBudget}). */
  readonly budget?: ReplyBudget;
  /**
   * Ask for gzip (`Accept-Encoding`). Off where the reply crosses no
   * network: compressing costs the audited server CPU for nothing then.
   * @default true
   */
  readonly acceptGzip?: boolean;
}

/**
 * What every reply of one epoch may take decompressed, together. The
 * per-reply cap bounds one server; this bounds the sum, which is what has to
 * fit in the auditor's memory (judging takes about three times the reply
 * bytes, BENCHMARKS.md). Each decoded body is taken from `remaining`; a reply
 * that would overdraw it is refused like an over-cap one.
 */
export interface ReplyBudget {
  readonly totalBytes: number;
  remaining: number;
}

/** NATS status a server-side "nobody subscribes to this subject" carries. */
const NO_RESPONDERS_STATUS = 503;
export function pingSubject(endpoint: Endpoint): string {
  return `$SYS.REQ.SERVER.PING.${endpoint}`;
}

/** The subject only the server with this id answers (`$SYS.REQ.SERVER.<id>.<EP>`). */
export function serverSubject(endpoint: Endpoint, serverId: string): string {
  return `$SYS.REQ.SERVER.${serverId}.${endpoint}`;
}

/** Publishes the PING and resolves when collection ends. Never rejects. */
export function collectPing(
  nc: NatsConnection,
  endpoint: Endpoint,
  body: string,
  options: CollectPingOptions,
): Promise<RawRequest> {
  const now = options.now ?? Date.now;
  const subject = options.subject ?? pingSubject(endpoint);
  const inbox = createInbox();
  const replies: RawReply[] = [];
  const servers = new Set<string>();

  return new Promise<RawRequest>((resolve) => {
    const sentAt = now();
    const t0 = performance.now();
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let stopListening: (() => void) | undefined;
    let sub: { unsubscribe(): void } | undefined;

    const finish = (ended: RawRequest['ended'], error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stopListening?.();
      options.signal?.removeEventListener('abort', onAbort);
      try {
        sub?.unsubscribe();
      } catch {
        // Connection already closed: nothing left to unsubscribe.
      }
      const expected = options.expected();
      resolve({
        endpoint,
        subject,
        requestBody: body,
        sentAt,
        durationMs: performance.now() - t0,
        ended,
        replies,
        ...(expected === undefined ? {} : { expected }),
        ...(error === undefined ? {} : { error }),
      });
    };
    const checkExpected = (): void => {
      const expected = options.expected();
      if (expected !== undefined && servers.size >= expected) finish('all-expected');
    };
    const onAbort = (): void => finish('error', abortReason(options.signal));

    const onMsg = (msg: Msg): void => {
      if (done) return;
      const latencyMs = performance.now() - t0;
      const receivedAt = now();
      const status = msg.headers !== undefined && msg.headers.code > 0 ? msg.headers.code : undefined;
      if (status !== undefined && msg.data.length === 0) {
        replies.push({ latencyMs, receivedAt, wireBytes: 0, status });
        if (status === NO_RESPONDERS_STATUS) finish('no-responders');
        return;
      }
      const decoded = decodeBody(msg, options.maxReplyBytes, options.budget);
      const reply: RawReply = {
        latencyMs,
        receivedAt,
        wireBytes: msg.data.length,
        ...decoded,
        ...(status === undefined ? {} : { status }),
      };
      replies.push(reply);
      // An undecodable reply is still one server's single answer, so it counts.
      const id = 'body' in decoded ? serverIdOf(decoded.body) : undefined;
      servers.add(id ?? `#${replies.length}`);
      try {
        options.onReply?.(reply);
      } catch {
        // An observer's bug must not lose the sample.
      }
      checkExpected();
    };

    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      sub = nc.subscribe(inbox, {
        callback: (err, msg) => (err ? finish('error', err.message) : onMsg(msg)),
      });
      stopListening = options.onExpectedChange?.(() => {
        if (!done) checkExpected();
      });
      const h = headers();
      if (options.acceptGzip !== false) h.set('Accept-Encoding', 'gzip');
      timer = setTimeout(() => finish('deadline'), Math.max(0, options.deadlineMs));
      // Same connection, so the server sees our SUB before this PUB.
      nc.publish(subject, new TextEncoder().encode(body), { reply: inbox, headers: h });
    } catch (err) {
      finish('error', err instanceof Error ? err.message : String(err));
    }
  });
}

function decodeBody(msg: Msg, maxBytes: number, budget: ReplyBudget | undefined): { body: string } | { decodeError: string } {
  const encoding = msg.headers?.get('Content-Encoding', Match.IgnoreCase).toLowerCase() ?? '';
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    return { decodeError: `unsupported Content-Encoding "${encoding.slice(0, 32)}"` };
  }
  const left = budget?.remaining ?? Infinity;
  const overBudget = (): { decodeError: string } => ({
    decodeError: `the epoch's ${budget!.totalBytes}-byte budget for decompressed replies is spent (${Math.max(0, left)} bytes were left)`,
  });
  if (encoding !== 'gzip') {
    if (msg.data.length > maxBytes) {
      return { decodeError: `body of ${msg.data.length} bytes exceeds the ${maxBytes}-byte cap` };
    }
    if (msg.data.length > left) return overBudget();
    if (budget) budget.remaining -= msg.data.length;
    return { body: new TextDecoder().decode(msg.data) };
  }
  if (left < 1) return overBudget();
  let inflated: Buffer;
  try {
    inflated = gunzipSync(msg.data, { maxOutputLength: Math.min(maxBytes, left) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      return left < maxBytes ? overBudget() : { decodeError: `gzip body inflates beyond the ${maxBytes}-byte cap` };
    }
    return { decodeError: `corrupt gzip body (${code ?? (err as Error).message})` };
  }
  if (budget) budget.remaining -= inflated.length;
  return { body: inflated.toString('utf8') };
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}
