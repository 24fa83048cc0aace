/**
 * Saving and loading a {@link RawSample}: `nats-audit gather` writes one,
 * `check --sample` reads it back through the same schema every time.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { sanitizeUrl } from './connection-options.js';
import type { RawSample } from './raw-sample.js';
import { rawSampleSchema } from './raw-sample-schema.js';

/** Sample files hold full server replies (account and stream names): owner-only. */
const SAMPLE_FILE_MODE = 0o600;
/** Enough issues to fix a hand-edited file, few enough to read. */
const MAX_ISSUES_SHOWN = 5;

/** A sample file cannot be read, is not JSON, or breaks the schema. The message names the file and field. */
export class SampleFileError extends Error {
  readonly path: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.name = 'SampleFileError';
    this.path = path;
  }
}

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
      await handle.writeFile(`${JSON.stringify(safe)}\n`, 'utf8');
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SampleFileError(path, `cannot read: ${errnoOf(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SampleFileError(path, `not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = rawSampleSchema.safeParse(json);
  if (!parsed.success) {
    throw new SampleFileError(path, `not a valid nats-audit sample: ${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

function formatIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; ... and ${more} more` : '');
}

/** `vantages[1].requests[0].ended`, the way a reader finds it in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
