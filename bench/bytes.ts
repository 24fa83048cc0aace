/**
 * Target 3: bytes per epoch.
 *
 * - Live (whichever server the live section ran; its samples): every reply's wire
 *   bytes (`RawReply.wireBytes`, gzip as the servers sent it) against its
 *   decompressed body, for the per-server and the per-vantage detail modes.
 * - Recorded (2.11.12 and 2.12.15 shapes, test/fixtures/replies): the same
 *   epoch's JSZ bytes for three paths, with replies built from the recorded
 *   ones at the live cluster's size. The third, "counts only", is gather's
 *   default `jszDetail: 'flagged'` on servers that count their own leaders
 *   (2.11.11+ / 2.12.1+): every vantage's summary PING is answered by every
 *   server, and detail is asked only of a server the counts flag as hot,
 *   once whatever the number of vantages (lib/sampling/detail-policy.ts).
 *   No 2.11 / 2.12 server runs here, so it is computed from the recorded replies
 *   (test/integration/gather-flagged-detail.test.ts proves the requests on
 *   the wire with impersonated 2.11.12 servers; bench/counts-only.ts measures
 *   the path live on a real server that counts its leaders).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Endpoint, RawSample } from '../lib/domain/raw-sample.js';
import { prng } from '../test/support/prng.js';

export interface WireTally {
  readonly wire: number;
  readonly body: number;
  readonly replies: number;
}

export interface LiveBytes {
  readonly byEndpoint: Readonly<Record<string, WireTally>>;
  /** JSZ replies to the PING vs to the one-server detail requests. */
  readonly jszSummary: WireTally;
  readonly jszDetail: WireTally;
  readonly total: WireTally;
}

/** Wire and decompressed bytes of one sample, by endpoint and JSZ kind. */
export function tallySample(sample: RawSample): LiveBytes {
  const byEndpoint: Record<string, { wire: number; body: number; replies: number }> = {};
  const summary = { wire: 0, body: 0, replies: 0 };
  const detail = { wire: 0, body: 0, replies: 0 };
  const total = { wire: 0, body: 0, replies: 0 };
  for (const v of sample.vantages) {
    for (const r of v.requests) {
      const slot = (byEndpoint[r.endpoint as Endpoint] ??= { wire: 0, body: 0, replies: 0 });
      const isDetail = r.endpoint === 'JSZ' && /"accounts":true/.test(r.requestBody);
      for (const reply of r.replies) {
        for (const t of [slot, total, ...(r.endpoint === 'JSZ' ? [isDetail ? detail : summary] : [])]) {
          t.wire += reply.wireBytes;
          t.body += reply.body?.length ?? 0;
          t.replies++;
        }
      }
    }
  }
  return { byEndpoint, jszSummary: summary, jszDetail: detail, total };
}

export interface RecordedPath {
  readonly version: string;
  readonly path: 'per-vantage' | 'per-server' | 'counts-only, none flagged' | 'counts-only, one flagged';
  readonly implemented: boolean;
  readonly replies: number;
  readonly body: number;
  readonly wire: number;
}

export interface RecordedOptions {
  readonly servers: number;
  readonly vantages: number;
  readonly streams: number;
  readonly consumersPerStream: number;
}

interface Reply {
  server: Record<string, unknown>;
  data: Record<string, unknown> & { account_details?: Record<string, unknown>[] };
}


const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Replaces every raft group name and `active` counter with fresh random ones, deeply. */
function vary(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => vary(v, random));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'active' && typeof v === 'number') out[k] = Math.floor(random() * 1e9);
    else if ((k === 'raft_group' || k === 'stream_raft_group') && typeof v === 'string') {
      out[k] = `${v.slice(0, 6)}${Array.from({ length: 8 }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('')}`;
    } else out[k] = vary(v, random);
  }
  return out;
}

/** A server's JSZ with `hosted` streams of `consumers` consumers each, cloned from the recorded stream that has a consumer. */
export function recordedDetail(fixture: string, hosted: number, consumers: number): string {
  const reply = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'replies', fixture), 'utf8')) as Reply;
  const account = reply.data.account_details![0]! as { stream_detail: Record<string, unknown>[] };
  const template = account.stream_detail.find((s) => Array.isArray(s['consumer_detail']) && (s['consumer_detail'] as unknown[]).length > 0)!;
  const consumerTemplate = (template['consumer_detail'] as Record<string, unknown>[])[0]!;
  const random = prng(hosted);
  const streams = Array.from({ length: hosted }, (_, i) => {
    const name = `ORDERS_${i + 1}`;
    const clones = Array.from({ length: consumers }, (_, c) => ({ ...consumerTemplate, stream_name: name, name: `C${c + 1}` }));
    const stream: Record<string, unknown> = { ...template, name, consumer_detail: clones };
    if (Array.isArray(template['consumer_raft_groups'])) {
      const group = (template['consumer_raft_groups'] as Record<string, unknown>[])[0]!;
      stream['consumer_raft_groups'] = clones.map((c) => ({ ...group, name: c.name }));
    }
    if (Array.isArray(template['direct_consumer_detail'])) stream['direct_consumer_detail'] = [];
    return vary(stream, random);
  });
  return JSON.stringify({ ...reply, data: { ...reply.data, account_details: [{ ...account, stream_detail: streams }] } });
}

/** The same server's summary: what a PING without `accounts` returns (leader counts included with `raft: true`). */
export function recordedSummary(fixture: string): string {
  const reply = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'replies', fixture), 'utf8')) as Reply;
  const { account_details: _dropped, ...data } = reply.data;
  return JSON.stringify({ ...reply, data });
}

/** Bytes of one JSZ epoch per path, from recorded 2.11.12 / 2.12.15 replies. */
export function recordedPaths(opts: RecordedOptions): RecordedPath[] {
  const hosted = Math.round((opts.streams * Math.min(3, opts.servers)) / opts.servers);
  const rows: RecordedPath[] = [];
  for (const [version, fixture] of [
    ['2.11.12', 'jsz-2.11.12-raft.json'],
    ['2.12.15', 'jsz-2.12.15-raft.json'],
  ] as const) {
    const detail = recordedDetail(fixture, hosted, opts.consumersPerStream);
    const summary = recordedSummary(fixture);
    const d = { body: detail.length, wire: gzipSync(detail).length };
    const s = { body: summary.length, wire: gzipSync(summary).length };
    const pings = opts.servers * opts.vantages;
    const path = (name: RecordedPath['path'], implemented: boolean, summaries: number, details: number): RecordedPath => ({
      version,
      path: name,
      implemented,
      replies: summaries + details,
      body: summaries * s.body + details * d.body,
      wire: summaries * s.wire + details * d.wire,
    });
    rows.push(path('per-vantage', true, 0, pings));
    rows.push(path('per-server', true, pings, opts.servers));
    // `flagged`: summaries as above; detail only from the hot server (claimed once per epoch).
    rows.push(path('counts-only, none flagged', true, pings, 0));
    rows.push(path('counts-only, one flagged', true, pings, 1));
  }
  return rows;
}
