import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_TYPE, SAMPLE_TYPE_V1, type RawSample } from '../../lib/domain/raw-sample.js';
import { readSampleFile, SampleFileError, writeSampleFile } from '../../lib/sampling/sample-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nats-audit-samplefile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SAMPLE: RawSample = {
  type: SAMPLE_TYPE,
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
    expect(gunzipSync(await readFile(path)).toString('utf8')).not.toContain('hunter22');
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

  /** A sample whose replies carry bodies: JSON ones (stored parsed) and one that is not JSON (kept as text). */
  const WITH_BODIES: RawSample = {
    ...SAMPLE,
    vantages: [
      {
        ...SAMPLE.vantages[0]!,
        requests: [
          {
            endpoint: 'JSZ',
            subject: '$SYS.REQ.SERVER.PING.JSZ',
            requestBody: '{}',
            sentAt: 1_700_000_000_001,
            durationMs: 3,
            ended: 'deadline',
            replies: [
              { latencyMs: 1, receivedAt: 1_700_000_000_002, wireBytes: 40, body: '{"server":{"name":"n1","id":"NABC"},"data":{"n":1}}' },
              { latencyMs: 2, receivedAt: 1_700_000_000_003, wireBytes: 9, body: '{"server":' },
              { latencyMs: 2, receivedAt: 1_700_000_000_003, wireBytes: 9, body: 'null' },
            ],
          },
        ],
      },
    ],
  };

  it('writes gzip-compressed JSON lines: each JSON body parsed once on its own line, a broken one kept as text', async () => {
    // Prepare
    const path = join(dir, 'bodies.json');
    // Act
    await writeSampleFile(path, WITH_BODIES);
    const raw = await readFile(path);
    const back = await readSampleFile(path);
    // Assess
    expect([...raw.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const lines = gunzipSync(raw).toString('utf8').split('\n');
    expect(lines.slice(1)).toEqual(['{"server":{"name":"n1","id":"NABC"},"data":{"n":1}}', 'null', '']);
    const replies = back.vantages[0]!.requests[0]!.replies;
    expect(replies.map((r) => [r.json, r.body])).toEqual([
      [{ server: { name: 'n1', id: 'NABC' }, data: { n: 1 } }, undefined],
      [undefined, '{"server":'],
      [null, undefined],
    ]);
    expect('json' in replies[1]!).toBe(false);
  });

  it('reads a sample read back and written again unchanged', async () => {
    // Prepare
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    await writeSampleFile(first, WITH_BODIES);
    const once = await readSampleFile(first);
    // Act
    await writeSampleFile(second, once);
    // Assess
    expect(await readSampleFile(second)).toEqual(once);
  });

  it('still reads a v1 file (plain JSON, bodies as text), and a gzipped one, whatever the name', async () => {
    // Prepare
    const v1 = { ...WITH_BODIES, type: SAMPLE_TYPE_V1 };
    const plain = join(dir, 'v1.json');
    const gzipped = join(dir, 'v1.json.txt');
    await writeFile(plain, JSON.stringify(v1, null, 2));
    await writeFile(gzipped, gzipSync(JSON.stringify(v1)));
    // Act
    const fromPlain = await readSampleFile(plain);
    const fromGzip = await readSampleFile(gzipped);
    // Assess
    expect(fromPlain).toEqual(WITH_BODIES);
    expect(fromGzip).toEqual(WITH_BODIES);
  });

  it('names a corrupt or truncated gzip stream, a missing body line and a body line that is not JSON', async () => {
    // Prepare
    const good = join(dir, 'good.json');
    await writeSampleFile(good, WITH_BODIES);
    const raw = await readFile(good);
    const corrupt = join(dir, 'corrupt.json.gz');
    const cut = join(dir, 'cut.json.gz');
    const missingLine = join(dir, 'missing-line.json.gz');
    const badLine = join(dir, 'bad-line.json.gz');
    const flipped = Buffer.from(raw);
    flipped[20] = flipped[20]! ^ 0xff;
    await writeFile(corrupt, flipped);
    await writeFile(cut, raw.subarray(0, raw.length - 12));
    const lines = gunzipSync(raw).toString('utf8').split('\n');
    await writeFile(missingLine, gzipSync(`${lines[0]}\n${lines[1]}\n`));
    await writeFile(badLine, gzipSync(`${lines[0]}\n${lines[1]}\n{"server":\n`));
    // Act
    const messages = await Promise.all([corrupt, cut, missingLine, badLine].map(async (p) => ((await readSampleFile(p).catch((e: unknown) => e)) as Error)));
    // Assess
    expect(messages.every((e) => e instanceof SampleFileError)).toBe(true);
    expect(messages[0]!.message).toMatch(new RegExp(`^${escape(corrupt)}: not a valid gzip file \\(.+, Z_[A-Z_]+\\)$`));
    expect(messages[1]!.message).toBe(`${cut}: not a valid gzip file (unexpected end of file, Z_BUF_ERROR)`);
    expect(messages[2]!.message).toBe(`${missingLine}: truncated: ends after line 2, but the body of vantages[0].requests[0].replies[2] is on line 3 (of 3)`);
    expect(messages[3]!.message).toMatch(
      new RegExp(`^${escape(badLine)}: line 3 \\(the body of vantages\\[0\\]\\.requests\\[0\\]\\.replies\\[2\\]\\) is not JSON \\(`),
    );
  });
});
