/**
 * Saving and loading a {@link RawSample}: `nats-audit gather` writes one,
 * `check --sample` reads it back. The file is gzip-compressed JSON lines
 * (format in sample-lines.ts); reading detects gzip by its magic bytes, so
 * the name does not matter, and still reads uncompressed and v1 files.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createGunzip, createGzip, type ZlibOptions } from 'node:zlib';
import { sanitizeUrl } from './connection-options.js';
import type { RawSample } from '../domain/raw-sample.js';
import { rawSampleSchema } from './raw-sample-schema.js';
import { SampleFileError } from './sample-file-error.js';
import { decodeSampleLines, encodeSampleLines, formatIssues, SampleFormatError } from './sample-lines.js';

export { SampleFileError } from './sample-file-error.js';

/** Sample files hold full server replies (account and stream names): owner-only. */
const SAMPLE_FILE_MODE = 0o600;
/** Replies repeat themselves stream after stream: the fastest level already shrinks them ~30×. */
const SAMPLE_GZIP_LEVEL = zlib.Z_BEST_SPEED;
/** Every gzip stream starts with these two bytes (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Read and inflate in large pieces: a detail body is tens of MB. */
const CHUNK_BYTES = 1 << 20;
/** How far inflating (on the thread pool) may run ahead of parsing the line before. */
const INFLATE_AHEAD_BYTES = 16 * CHUNK_BYTES;
const NEWLINE = 0x0a;

/**
 * Writes atomically (temp file in the same directory, fsync, rename), mode
 * 0600. URLs are sanitized again here so a credential cannot reach disk even
 * if a caller built the sample by hand.
 */
export async function writeSampleFile(path: string, sample: RawSample): Promise<void> {
  const safe: RawSample = { ...sample, vantages: sample.vantages.map((v) => ({ ...v, url: sanitizeUrl(v.url) })) };
  const checked = rawSampleSchema.safeParse(safe);
  if (!checked.success) {
    throw new SampleFileError(path, `refusing to write an invalid sample: ${formatIssues(checked.error)}`);
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', SAMPLE_FILE_MODE);
    try {
      await pipeline(Readable.from(encodeSampleLines(safe)), createGzip({ level: SAMPLE_GZIP_LEVEL }), async (compressed: AsyncIterable<Buffer>) => {
        for await (const chunk of compressed) await handle.write(chunk);
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new SampleFileError(path, `cannot write: ${errnoOf(err)}`, { cause: err });
  }
}

/** Reads and validates; throws {@link SampleFileError}. */
export async function readSampleFile(path: string): Promise<RawSample> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new SampleFileError(path, `cannot read: ${errnoOf(err)}`, { cause: err });
  }
  try {
    const magic = Buffer.alloc(GZIP_MAGIC.length);
    const { bytesRead } = await handle.read(magic, 0, magic.length, 0);
    const gzipped = bytesRead === GZIP_MAGIC.length && GZIP_MAGIC.every((b, i) => magic[i] === b);
    const file = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES, autoClose: false });
    // zlib streams take stream options too, though ZlibOptions does not declare them.
    const inflate: ZlibOptions & { highWaterMark: number } = { chunkSize: CHUNK_BYTES, highWaterMark: INFLATE_AHEAD_BYTES };
    const content = gzipped ? file.pipe(createGunzip(inflate)) : file;
    // pipe() does not pass a read error on to the gunzip stream.
    if (gzipped) file.on('error', (err) => content.destroy(err));
    try {
      return await decodeSampleLines(splitLines(content));
    } finally {
      content.destroy();
      file.destroy();
    }
  } catch (err) {
    if (err instanceof SampleFormatError) throw new SampleFileError(path, err.message, { cause: err });
    throw new SampleFileError(path, readProblem(err), { cause: err });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The lines of a UTF-8 byte stream as text, without their `'\n'`. A line
 * that spans chunks is decoded piece by piece, not first copied into one
 * buffer: that copy (a body line is tens of MB) only waited for a major
 * collection, and `'\n'` never falls inside a multi-byte character.
 */
async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const utf8 = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const line = pending + utf8.write(chunk.subarray(start, end)) + utf8.end();
      pending = '';
      yield line;
      start = end + 1;
    }
    if (start < chunk.length) pending += utf8.write(chunk.subarray(start));
  }
  pending += utf8.end();
  if (pending.length > 0) yield pending;
}

function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    // zlib says "unexpected end of file" for a cut-off stream and names the damage otherwise.
    return `not a valid gzip file (${(err as Error).message}, ${code})`;
  }
  return `cannot read: ${errnoOf(err)}`;
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
