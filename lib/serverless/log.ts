import { redactSecrets } from '../sampling/connection-options.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One JSON object per line, as CloudWatch Logs Insights and metric filters expect. */
export type LogSink = (line: string) => void;

export interface Logger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A logger that adds these fields to every line (cluster, scheduled time, request id). */
  with(fields: Readonly<Record<string, unknown>>): Logger;
  /** Values that must never be written, e.g. a cluster's password once it has been read. */
  redact(secrets: readonly string[]): void;
}

/**
 * A structured logger. Every line passes through redaction of the secrets it
 * has been told about, so an error message that quotes a credential (a
 * library's, not ours) still cannot reach the logs.
 */
export function jsonLogger(sink: LogSink = (line) => process.stdout.write(`${line}\n`), base: Record<string, unknown> = {}, secrets: string[] = []): Logger {
  return {
    log(level, message, fields = {}) {
      const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...base, ...fields });
      sink(redactSecrets(line, secrets));
    },
    with(fields) {
      return jsonLogger(sink, { ...base, ...fields }, secrets);
    },
    redact(more) {
      for (const s of more) if (s.length >= 4 && !secrets.includes(s)) secrets.push(s);
    },
  };
}
