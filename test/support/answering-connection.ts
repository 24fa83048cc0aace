import { gzipSync } from 'node:zlib';
import { headers, type Msg, type NatsConnection } from 'nats';

/**
 * A stand-in connection whose every publish is answered with `bodies`, each
 * carrying `encoding` if given: for tests of reply decoding, where what is
 * under test is collectPing's handling of the bytes, not NATS.
 */
export function answering(bodies: readonly Uint8Array[], encoding?: string): NatsConnection {
  let deliver: ((err: Error | null, msg: Msg) => void) | undefined;
  const fake = {
    subscribe(_subject: string, options: { callback: (err: Error | null, msg: Msg) => void }) {
      deliver = options.callback;
      return { unsubscribe() {} };
    },
    publish() {
      setImmediate(() => {
        for (const data of bodies) {
          const h = headers();
          if (encoding !== undefined) h.set('Content-Encoding', encoding);
          deliver?.(null, { data, headers: h, subject: '_INBOX.x' } as unknown as Msg);
        }
      });
    },
  };
  return fake as unknown as NatsConnection;
}

/** `answering` with text bodies, gzipped (and marked so) when `gzip` is set. */
export function answeringText(texts: readonly string[], gzip: boolean): NatsConnection {
  const encode = (t: string) => (gzip ? new Uint8Array(gzipSync(t)) : new TextEncoder().encode(t));
  return answering(texts.map(encode), gzip ? 'gzip' : undefined);
}
