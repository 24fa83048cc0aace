import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawSample } from '../../lib/sampling/raw-sample.js';
import { readSampleFile, SampleFileError, writeSampleFile } from '../../lib/sampling/sample-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nats-audit-samplefile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SAMPLE: RawSample = {
  type: 'io.nats-audit.v1.sample',
  startedAt: 1_700_000_000_000,
  durationMs: 42.5,
  expectServers: 3,
  vantages: [
    {
      url: 'nats://127.0.0.1:4222',
      connected: true,
      connectMs: 3.2,
      serverName: 'n1',
      serverId: 'NABC',
      requests: [
        {
          endpoint: 'RAFTZ',
          subject: '$SYS.REQ.SERVER.PING.RAFTZ',
          requestBody: '{}',
          sentAt: 1_700_000_000_001,
          durationMs: 1.5,
          ended: 'no-responders',
          replies: [{ latencyMs: 1.4, receivedAt: 1_700_000_000_002, wireBytes: 0, status: 503 }],
          expected: 3,
        },
      ],
    },
    { url: 'nats://127.0.0.1:4223', connected: false, error: { kind: 'timeout', message: 'x' }, requests: [] },
  ],
};

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('writeSampleFile / readSampleFile', () => {
  it('round-trips, owner-only, leaving no temp file behind', async () => {
    // Prepare
    const path = join(dir, 'rt.json');
    await writeFile(path, 'old content');
    // Act
    await writeSampleFile(path, SAMPLE);
    const back = await readSampleFile(path);
    // Assess
    expect(back).toEqual(SAMPLE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('sanitizes URLs on write even for a hand-built sample', async () => {
    // Prepare
    const path = join(dir, 'sanitized.json');
    const sample: RawSample = { ...SAMPLE, vantages: [{ url: 'nats://u:hunter22@h:4222', connected: false, requests: [] }] };
    // Act
    await writeSampleFile(path, sample);
    // Assess
    expect(await readFile(path, 'utf8')).not.toContain('hunter22');
    expect((await readSampleFile(path)).vantages[0]!.url).toBe('nats://h:4222');
  });

  it('refuses to read a file whose URL carries credentials', async () => {
    // Prepare
    const path = join(dir, 'creds-in-url.json');
    await writeFile(path, JSON.stringify({ ...SAMPLE, vantages: [{ url: 'nats://u:p@h:4222', connected: false, requests: [] }] }));
    // Act
    const err = await readSampleFile(path).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(SampleFileError);
    expect((err as Error).message).toBe(
      `${path}: not a valid nats-audit sample: vantages[0].url: carries user info; a sample must never hold credentials`,
    );
  });

  it('names every broken field path, capped', async () => {
    // Prepare
    const path = join(dir, 'broken.json');
    const broken = JSON.parse(JSON.stringify(SAMPLE)) as Record<string, unknown> & { vantages: Record<string, unknown>[] };
    broken.type = 'something.else';
    broken.vantages[0]!.connected = 'yes';
    (broken.vantages[0]!.requests as Record<string, unknown>[])[0]!.ended = 'maybe';
    await writeFile(path, JSON.stringify(broken));
    // Act
    const message = ((await readSampleFile(path).catch((e: unknown) => e)) as Error).message;
    // Assess
    expect(message).toMatch(new RegExp(`^${escape(path)}: not a valid nats-audit sample: `));
    expect(message).toContain('type: ');
    expect(message).toContain('vantages[0].connected: ');
    expect(message).toContain('vantages[0].requests[0].ended: ');
  });

  it('names the file and problem for missing and non-JSON files', async () => {
    // Prepare
    const missing = join(dir, 'missing.json');
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{');
    // Act
    const e1 = (await readSampleFile(missing).catch((e: unknown) => e)) as Error;
    const e2 = (await readSampleFile(notJson).catch((e: unknown) => e)) as Error;
    // Assess
    expect(e1.message).toBe(`${missing}: cannot read: ENOENT`);
    expect(e2.message).toMatch(new RegExp(`^${escape(notJson)}: not JSON \\(`));
  });

  it('reports a directory that does not exist as a write error, not a crash', async () => {
    const path = join(dir, 'no-such-dir', 's.json');
    const err = (await writeSampleFile(path, SAMPLE).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(SampleFileError);
    expect(err.message).toBe(`${path}: cannot write: ENOENT`);
  });

  it('refuses to write an invalid sample', async () => {
    const path = join(dir, 'invalid.json');
    const bad = { ...SAMPLE, durationMs: -1 } as RawSample;
    const err = (await writeSampleFile(path, bad).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`^${escape(path)}: refusing to write an invalid sample: durationMs: `));
  });
});
