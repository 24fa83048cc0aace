export {
  CONNECTION_FLAGS,
  ConnectionOptionsError,
  buildConnectionOptions,
  loadConnectionSecrets,
  parseServerUrl,
  redactSecrets,
  sanitizeUrl,
  toNatsConnectionOptions,
  type AuthOptions,
  type ConnectionTuning,
  type CredsAuth,
  type LoadedConnectionSecrets,
  type NkeyAuth,
  type NoAuth,
  type ParsedServerUrl,
  type TlsOptions,
  type TokenAuth,
  type UserPasswordAuth,
} from './connection-options.js';
export {
  GATHER_DEFAULTS,
  GatherConfigError,
  gather,
  type GatherConfig,
  type GatherDeps,
  type GatherProgressEvent,
} from './gather.js';
export { classifyConnectError } from './connect-error.js';
export { collectPing, pingSubject, serverSubject, type CollectPingOptions, type ReplyBudget } from './ping.js';
export { serverIdOf, serverIdOfJson } from '../domain/reply-identity.js';
export {
  SAMPLE_TYPE,
  SAMPLE_TYPE_V1,
  type Endpoint,
  type RawReply,
  type RawRequest,
  type RawSample,
  type RawVantage,
  type VantageErrorKind,
} from '../domain/raw-sample.js';
export { rawReplySchema, rawRequestSchema, rawSampleSchema, rawVantageSchema } from './raw-sample-schema.js';
export { SampleFileError, readSampleFile, writeSampleFile } from './sample-file.js';
