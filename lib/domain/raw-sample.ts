/**
 * What one epoch's gathering produced, before any judgement: the replies of
 * every server as heard through every vantage, decompressed but unvalidated.
 * The same shape is what `nats-audit gather` saves and `check --sample`
 * reads back, so live and offline analysis run through identical code. Live,
 * a reply's body is its text; read back from a file, a body that was JSON
 * arrives already parsed (`json`), so it is not parsed twice.
 */

/** System-account endpoints the auditor asks for (`$SYS.REQ.SERVER.PING.<EP>`). */
export type Endpoint = 'JSZ' | 'ROUTEZ' | 'RAFTZ';

/** The current sample (gzip-compressed JSON lines when saved; see sample-file.ts). */
export const SAMPLE_TYPE = 'io.nats-audit.v2.sample' as const;
/** Samples saved before bodies were stored parsed: one plain JSON document, every body as text. Still read. */
export const SAMPLE_TYPE_V1 = 'io.nats-audit.v1.sample' as const;

export interface RawReply {
  /** Milliseconds from publishing the request to this reply arriving. */
  readonly latencyMs: number;
  /** Auditor wall clock (epoch ms) when the reply arrived. */
  readonly receivedAt: number;
  /** Payload bytes as received (compressed size when the server gzipped). */
  readonly wireBytes: number;
  /** Decompressed reply text; absent when it could not be decoded, or when `json` holds it. */
  readonly body?: string;
  /**
   * The body already parsed as JSON, as a sample file stores a body that is
   * JSON (`null` is a value here; absent means there is none). Never
   * together with `body`.
   */
  readonly json?: unknown;
  /** Why the body could not be decoded (bad gzip, over the size cap). */
  readonly decodeError?: string;
  /** NATS status code carried in the reply header, when there was one. */
  readonly status?: number;
}

export interface RawRequest {
  readonly endpoint: Endpoint;
  readonly subject: string;
  /** The JSON options sent as the request body. */
  readonly requestBody: string;
  /** Auditor wall clock (epoch ms) when the request was published. */
  readonly sentAt: number;
  readonly durationMs: number;
  /** Why collection stopped: every expected server answered, the deadline passed, nobody serves the subject, or the request failed. */
  readonly ended: 'all-expected' | 'deadline' | 'no-responders' | 'error';
  readonly replies: readonly RawReply[];
  /** Distinct servers the collection was waiting for when it ended, if known (`--expect-servers` or the most meta members a JSZ reply reported). */
  readonly expected?: number;
  readonly error?: string;
}

export type VantageErrorKind = 'auth' | 'unreachable' | 'tls' | 'timeout' | 'protocol';

export interface RawVantage {
  /** The configured server URL with any user info removed. */
  readonly url: string;
  readonly connected: boolean;
  readonly connectMs?: number;
  /** The server this connection landed on, from its INFO. */
  readonly serverName?: string;
  readonly serverId?: string;
  readonly error?: { readonly kind: VantageErrorKind; readonly message: string };
  readonly requests: readonly RawRequest[];
}

export interface RawSample {
  readonly type: typeof SAMPLE_TYPE;
  /** Auditor wall clock (epoch ms) when gathering started. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Servers the operator said to expect (`--expect-servers`), if any. */
  readonly expectServers?: number;
  readonly vantages: readonly RawVantage[];
}
