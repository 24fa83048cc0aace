/**
 * One vantage's session: probe its server, connect, send every endpoint's
 * PING (and the JSZ detail requests, see detail-requests.ts) on the one
 * connection, and close it; whatever goes wrong becomes the vantage's error
 * or a request's, never an exception.
 */
import { connect, ErrorCode, Events, type NatsConnection } from 'nats';
import { decodeReply } from '../domain/decode-reply.js';
import type { Endpoint, RawReply, RawRequest, RawVantage, VantageErrorKind } from '../domain/raw-sample.js';
import { delay } from '../util/sleep.js';
import { classifyConnectError, EpochAbort } from './connect-error.js';
import { buildConnectionOptions, parseServerUrl, redactSecrets, sanitizeUrl, type LoadedConnectionSecrets } from './connection-options.js';
import { DetailRequests } from './detail-requests.js';
import type { ExpectedServers } from './expected-servers.js';
import type { GatherProgressEvent, Settings } from './gather-settings.js';
import { collectPing, pingSubject, serverSubject, type CollectPingOptions, type ReplyBudget } from './ping.js';
import { probeServer } from './server-probe.js';
import { isLoopbackHost } from './server-url.js';

/** `close()` only destroys the socket; bound it anyway so a wedged socket cannot hold the epoch. */
const CLOSE_GRACE_MS = 500;

/** What every vantage of one epoch shares. */
export interface VantageContext {
  readonly secrets: LoadedConnectionSecrets;
  readonly allSecrets: readonly string[];
  readonly settings: Settings;
  readonly expected: ExpectedServers;
  readonly budget: ReplyBudget;
  /** True for the first caller per server id this epoch: that vantage asks the server for its JSZ detail. */
  readonly claimDetail: (serverId: string) => boolean;
  readonly epoch: AbortSignal;
  readonly now: () => number;
  readonly emit: (event: GatherProgressEvent) => void;
}

export async function sampleVantage(rawUrl: string, deadline: number, ctx: VantageContext): Promise<RawVantage> {
  const parsed = parseServerUrl(rawUrl);
  // As configured (minus user info), so callers can match vantages to their own list.
  const url = sanitizeUrl(rawUrl);
  const remaining = (): number => Math.max(1, deadline - performance.now());
  const fail = (kind: VantageErrorKind, detail: string): RawVantage => {
    const message = redactSecrets(`${url}: ${detail}`, ctx.allSecrets);
    ctx.emit({ type: 'vantage-failed', url, kind, message });
    return failedVantage(url, { kind, message });
  };
  ctx.emit({ type: 'vantage-start', url });

  const probe = await probeServer(parsed.hostname, parsed.port, remaining());
  if (!probe.ok) return fail(probe.reason, probe.detail);
  const hasClientCert = ctx.secrets.tls?.cert !== undefined;
  if (probe.info.tlsVerify && !hasClientCert) {
    // Without this the server's refusal races the TLS 1.3 handshake and
    // surfaces as a reset half the time.
    return fail('tls', 'the server requires a client certificate (verify: true); give --tls-cert and --tls-key');
  }

  const connectStart = performance.now();
  let nc: NatsConnection;
  try {
    const options = buildConnectionOptions(rawUrl, ctx.secrets, {
      name: ctx.settings.connectionName,
      timeoutMs: remaining(),
    });
    nc = await raceAbort(connect(options), ctx.epoch, (late) => void closeQuietly(late));
  } catch (err) {
    const { kind, detail } = classifyConnectError(err);
    if (kind === 'unreachable' && probe.info.tlsRequired) {
      // The probe just reached this server, so a reset now is the TLS handshake being refused.
      return fail('tls', `the server closed the connection during TLS; it may have refused our client certificate (${detail})`);
    }
    return fail(kind, detail);
  }
  const connectMs = performance.now() - connectStart;
  const serverName = nc.info?.server_name;
  const serverId = nc.info?.server_id;
  const serverVersion = nc.info?.version;
  ctx.emit({ type: 'vantage-connected', url, connectMs, ...(serverName === undefined ? {} : { serverName }) });

  try {
    const own = { id: serverId, version: serverVersion, loopback: isLoopbackHost(parsed.hostname) };
    const requests = await requestAll(nc, url, own, deadline, ctx);
    ctx.emit({ type: 'vantage-done', url });
    return {
      url,
      connected: true,
      connectMs,
      ...(serverName === undefined ? {} : { serverName }),
      ...(serverId === undefined ? {} : { serverId }),
      requests,
    };
  } finally {
    await closeQuietly(nc);
  }
}

/**
 * All endpoints in parallel on one connection: each gets the vantage's whole
 * remaining time, so a partition (every PING running to its deadline) costs
 * one deadline per vantage rather than one per endpoint. Under
 * `jszDetail: 'per-server'` this vantage also asks its own server, and any
 * server it hears that nobody asked yet, for JSZ detail; under `flagged`
 * the same for servers that cannot count their leaders, and then those the
 * summaries it heard call for. Those requests follow the PINGs in the result.
 */
async function requestAll(
  nc: NatsConnection,
  url: string,
  own: { readonly id: string | undefined; readonly version: string | undefined; readonly loopback: boolean },
  deadline: number,
  ctx: VantageContext,
): Promise<RawRequest[]> {
  const { settings } = ctx;
  const running = new Map<string, Set<AbortController>>();
  const abortAll = (reason: string): void => running.forEach((set) => set.forEach((c) => c.abort(new Error(reason))));
  void nc.closed().then((err) => abortAll(`connection closed${err ? `: ${err.message}` : ''}`));
  void watchPermissionErrors(nc, (operation, subject) => {
    const reason = `permissions violation: ${operation} to "${subject}"`;
    const targets = running.get(subject);
    // A denied SUB is on our inbox, which every request shares the prefix of.
    if (operation === 'subscription' || targets === undefined) abortAll(reason);
    else targets.forEach((c) => c.abort(new Error(reason)));
  });

  const start = (
    endpoint: Endpoint,
    body: string,
    options: Pick<CollectPingOptions, 'subject' | 'expected' | 'onExpectedChange' | 'onReply' | 'acceptGzip'>,
  ): Promise<RawRequest> => {
    const subject = options.subject ?? pingSubject(endpoint);
    const controller = new AbortController();
    const set = running.get(subject) ?? new Set<AbortController>();
    running.set(subject, set.add(controller));
    const onReply = (reply: RawReply): void => {
      // Requests this reply calls for go out first; decoding can wait for them.
      options.onReply?.(reply);
      if (settings.decodeOnArrival) decodeReply(endpoint, reply);
    };
    return collectPing(nc, endpoint, body, {
      ...options,
      onReply,
      deadlineMs: Math.max(1, deadline - performance.now()),
      maxReplyBytes: settings.maxReplyBytes,
      budget: ctx.budget,
      now: ctx.now,
      signal: controller.signal,
    }).then((request) => {
      set.delete(controller);
      ctx.emit({
        type: 'request-done',
        url,
        endpoint,
        ended: request.ended,
        replies: request.replies.length,
        durationMs: request.durationMs,
      });
      return request.error === undefined ? request : { ...request, error: redactSecrets(request.error, ctx.allSecrets) };
    });
  };

  const requests: Promise<RawRequest | undefined>[] = [];
  const offerJsz = (reply: RawReply): void => ctx.expected.offerJszBody(reply.body);
  const mode = settings.jszDetail;
  const details =
    mode === 'per-vantage' || !settings.endpoints.includes('JSZ')
      ? undefined
      : new DetailRequests({
          mode,
          leaderBalance: settings.leaderBalance,
          claim: ctx.claimDetail,
          send: (serverId) =>
            serverId === undefined
              ? start('JSZ', settings.jszDetailBody, { expected: ctx.expected.get, onExpectedChange: ctx.expected.subscribe, onReply: offerJsz })
              : start('JSZ', settings.jszDetailBody, {
                  subject: serverSubject('JSZ', serverId),
                  expected: () => 1,
                  onReply: offerJsz,
                  // The server this vantage reached over loopback sends its own detail
                  // (the epoch's largest replies) across no network: spare it the gzip.
                  acceptGzip: settings.acceptGzip === 'always' || !(own.loopback && serverId === own.id),
                }),
          add: (request) => requests.push(request),
        });

  for (const endpoint of settings.endpoints) {
    const onReply =
      endpoint !== 'JSZ'
        ? undefined
        : (reply: RawReply): void => {
            offerJsz(reply);
            details?.heard(reply);
          };
    const ping = start(endpoint, settings.bodies[endpoint], {
      expected: ctx.expected.get,
      onExpectedChange: ctx.expected.subscribe,
      ...(onReply === undefined ? {} : { onReply }),
    });
    // The decision runs before the PING's entry resolves, so the detail
    // requests it adds are in `requests` before the loop below moves on.
    requests.push(
      endpoint === 'JSZ' && mode === 'flagged'
        ? ping.then((request) => {
            details?.decide();
            return request;
          })
        : ping,
    );
  }
  details?.begin(own, deadline - performance.now());

  // Detail requests are added while the PINGs run; a PING's last reply adds
  // its request before the PING itself resolves, and `flagged` decides in a
  // continuation of the JSZ PING's entry (or earlier, on its timer, while
  // that entry is still pending), so nothing is missed.
  const done: RawRequest[] = [];
  for (let i = 0; i < requests.length; i++) {
    const request = await requests[i];
    if (request !== undefined) done.push(request);
  }
  return done;
}

async function watchPermissionErrors(
  nc: NatsConnection,
  onDenied: (operation: string, subject: string) => void,
): Promise<void> {
  try {
    for await (const s of nc.status()) {
      if (s.type === Events.Error && s.data === ErrorCode.PermissionsViolation && s.permissionContext) {
        onDenied(s.permissionContext.operation, s.permissionContext.subject);
      }
    }
  } catch {
    // The status iterator ends (or throws) when the connection closes.
  }
}

export function failedVantage(url: string, error: NonNullable<RawVantage['error']>): RawVantage {
  return { url, connected: false, error, requests: [] };
}

/** Resolves with `p`, or rejects with {@link EpochAbort}; a result arriving after the abort goes to `onLate`. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new EpochAbort());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) onLate(v);
        else resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function closeQuietly(nc: NatsConnection): Promise<void> {
  await Promise.race([nc.close().catch(() => undefined), delay(CLOSE_GRACE_MS)]);
}
