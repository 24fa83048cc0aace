/**
 * Synthetic samples for the offline benchmark: a cluster of `servers`
 * servers hosting `streams` R3 streams of `consumersPerStream` consumers,
 * with reply bodies cut from the real 2.9.10 replies in
 * test/fixtures/replies (same fields, same sizes per stream and consumer),
 * assembled into a RawSample by test/support/sample-builder.ts.
 *
 * Placement is even: stream i lives on servers i, i+1, i+2 (mod servers)
 * and is led by server i; consumer k by server i+k. Each server reports the
 * streams it hosts, the leader's view fresh and a follower's view stale, as
 * the servers do (NATS-FACTS).
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { GATHER_DEFAULTS, type JszDetail } from '../lib/sampling/gather.js';
import { SAMPLE_TYPE_V1, type RawReply, type RawRequest, type RawSample, type RawVantage } from '../lib/domain/raw-sample.js';
import { routez, sample, type ReplySet, type ServerSpec } from '../test/support/sample-builder.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'replies');

export interface SyntheticSpec {
  readonly servers: number;
  readonly streams: number;
  readonly consumersPerStream: number;
  /**
   * `per-server`: every vantage heard a JSZ summary from every server and
   * each server's detail once (what gather does now); `per-vantage`: every
   * vantage heard every server's full detail (gather before this change,
   * and what a sample saved by an older auditor holds).
   */
  readonly shape: JszDetail;
}

export interface SyntheticSample {
  readonly sample: RawSample;
  /** Sum of every reply body's length: the uncompressed reply bytes the sample holds. */
  readonly replyBytes: number;
  /** Largest single reply body. */
  readonly largestReply: number;
  readonly streamsPerServer: number;
}

interface Fixture {
  server: Record<string, unknown>;
  data: Record<string, unknown> & { account_details?: { stream_detail?: Record<string, unknown>[] }[] };
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Fixture;
}

/** The fixtures were recorded with `config: true`, which gather no longer asks: the detail it gets carries no config. */
function withoutConfig(detail: Record<string, unknown>): Record<string, unknown> {
  const { config: _asked, ...rest } = detail;
  return rest;
}

const followerReply = fixture('jsz-2.9.10-follower.json');
const streamTemplate = withoutConfig(
  fixture('jsz-2.9.10-stream-leader.json').data.account_details![0]!.stream_detail!.find((s) => s['name'] === 'ORDERS')!,
);
const consumerTemplate = withoutConfig(
  (
    fixture('jsz-2.9.10-meta-leader.json').data.account_details![0]!.stream_detail!.find((s) => s['name'] === 'ORDERS')!['consumer_detail'] as Record<
      string,
      unknown
    >[]
  )[0]!,
);
/** `server.time` of the recorded replies; the sample starts just before it, so clocks agree. */
const SERVER_TIME = followerReply.server['time'] as string;
const CLUSTER = 'bench';

function serverName(i: number): string {
  return `n${i + 1}`;
}

function serverIdOf(i: number): string {
  return `N${serverName(i).toUpperCase()}`.padEnd(56, 'X');
}

function peerOf(i: number): string {
  return `P${String(i + 1).padStart(7, '0')}`;
}

function envelope(i: number): Record<string, unknown> {
  return { ...followerReply.server, name: serverName(i), id: serverIdOf(i), cluster: CLUSTER };
}

/** A peer as `reporter` sees it: the leader's view is fresh, a follower's stale (`current: false, active: 0`). */
function peerView(peer: number, reporterLeads: boolean): Record<string, unknown> {
  return reporterLeads
    ? { name: serverName(peer), current: true, active: 250_000_000, peer: peerOf(peer) }
    : { name: serverName(peer), current: false, active: 0, peer: peerOf(peer) };
}

function groupCluster(members: readonly number[], leader: number, reporter: number): Record<string, unknown> {
  return {
    name: CLUSTER,
    leader: serverName(leader),
    replicas: members.filter((m) => m !== reporter).map((m) => peerView(m, reporter === leader)),
  };
}

/** The summary every vantage hears (no `account_details`); the meta leader n1 lists its replicas. */
function summaryBody(i: number, servers: number, streamsHosted: number): string {
  const { account_details: _dropped, ...data } = followerReply.data;
  const meta = {
    name: CLUSTER,
    leader: serverName(0),
    peer: peerOf(0),
    ...(i === 0 ? { replicas: Array.from({ length: servers - 1 }, (_, k) => peerView(k + 1, true)) } : {}),
    cluster_size: servers,
  };
  return JSON.stringify({
    server: envelope(i),
    data: { ...data, server_id: serverIdOf(i), streams: streamsHosted, meta_cluster: meta },
  });
}

/** Server i's JSZ with stream and consumer detail, text built piece by piece (bodies reach hundreds of MB). */
function detailBody(i: number, spec: SyntheticSpec): string {
  const { servers, streams, consumersPerStream } = spec;
  const replicas = Math.min(3, servers);
  const parts: string[] = [];
  let hosted = 0;
  for (let s = 0; s < streams; s++) {
    const members = Array.from({ length: replicas }, (_, k) => (s + k) % servers);
    if (!members.includes(i)) continue;
    hosted++;
    const name = `BENCH_${s + 1}`;
    const leader = members[0]!;
    const consumers = Array.from({ length: consumersPerStream }, (_, c) => ({
      ...consumerTemplate,
      stream_name: name,
      name: `C${c + 1}`,
      cluster: groupCluster(members, members[(c + 1) % replicas]!, i),
    }));
    parts.push(
      JSON.stringify({
        ...streamTemplate,
        name,
        cluster: groupCluster(members, leader, i),
        state: { ...(streamTemplate['state'] as object), consumer_count: consumersPerStream },
        consumer_detail: consumers,
      }),
    );
  }
  const head = JSON.parse(summaryBody(i, servers, hosted)) as { server: unknown; data: Record<string, unknown> };
  const account = { ...followerReply.data.account_details![0], stream_detail: '@STREAMS@' };
  const text = JSON.stringify({ server: head.server, data: { ...head.data, consumers: hosted * consumersPerStream, account_details: [account] } });
  // uint64 max stays literal text, as the servers send it.
  const [before, after] = text.split('"@STREAMS@"') as [string, string];
  return `${before}[${parts.join(',')}]${after}`.replaceAll('18446744073709552000', '18446744073709551615');
}

export function syntheticSample(spec: SyntheticSpec): SyntheticSample {
  const names = Array.from({ length: spec.servers }, (_, i) => serverName(i));
  const list: ServerSpec[] = names.map((name, i) => ({ name, cluster: CLUSTER, id: serverIdOf(i) }));
  const details = list.map((_, i) => detailBody(i, spec));
  const streamsPerServer = Math.round((spec.streams * Math.min(3, spec.servers)) / spec.servers);
  const replies: Record<string, ReplySet> = {};
  list.forEach((server, i) => {
    replies[server.name] = {
      jsz: spec.shape === 'per-vantage' ? details[i]! : summaryBody(i, spec.servers, streamsPerServer),
      routez: routez(server, list.filter((p) => p !== server)),
    };
  });
  const startedAt = Date.parse(SERVER_TIME) - 2;
  const built = sample({ replies, startedAt });
  const vantages: RawVantage[] = built.vantages.map((v, i) => ({
    ...v,
    serverId: serverIdOf(i),
    requests: [
      ...v.requests.map((r) => ({ ...r, requestBody: r.endpoint === 'JSZ' ? bodyFor(spec.shape) : r.requestBody })),
      ...(spec.shape === 'per-server' ? [detailRequest(i, details[i]!, startedAt)] : []),
    ],
  }));
  const synthetic: RawSample = { ...built, vantages };
  let replyBytes = 0;
  let largestReply = 0;
  for (const v of vantages) {
    for (const r of v.requests) {
      for (const reply of r.replies) {
        replyBytes += reply.body?.length ?? 0;
        largestReply = Math.max(largestReply, reply.body?.length ?? 0);
      }
    }
  }
  return { sample: synthetic, replyBytes, largestReply, streamsPerServer };
}

function bodyFor(shape: JszDetail): string {
  return JSON.stringify(shape === 'per-server' ? GATHER_DEFAULTS.jszSummaryOptions : GATHER_DEFAULTS.jszOptions);
}

function detailRequest(i: number, body: string, startedAt: number): RawRequest {
  // Building detail takes a server longer than a summary: it arrives later.
  const latencyMs = 40;
  const reply: RawReply = { latencyMs, receivedAt: startedAt + latencyMs, wireBytes: body.length, body };
  return {
    endpoint: 'JSZ',
    subject: `$SYS.REQ.SERVER.${serverIdOf(i)}.JSZ`,
    requestBody: JSON.stringify(GATHER_DEFAULTS.jszOptions),
    sentAt: startedAt,
    durationMs: latencyMs,
    ended: 'all-expected',
    expected: 1,
    replies: [reply],
  };
}

/**
 * Writes the sample as a v1 file (one plain JSON document, every body as
 * text: what `writeSampleFile` wrote before v2), one reply at a time: the
 * whole file as one string would pass V8's string limit (2^29 - 24
 * characters) for the largest samples.
 */
export async function writeV1SampleFile(path: string, raw: RawSample): Promise<number> {
  const out = createWriteStream(path, { mode: 0o600 });
  let written = 0;
  const write = async (text: string): Promise<void> => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const { vantages, ...head } = raw;
  await write(`${JSON.stringify({ ...head, type: SAMPLE_TYPE_V1 }).slice(0, -1)},"vantages":[`);
  for (const [vi, v] of vantages.entries()) {
    const { requests, ...vHead } = v;
    await write(`${vi === 0 ? '' : ','}${JSON.stringify(vHead).slice(0, -1)},"requests":[`);
    for (const [ri, r] of requests.entries()) {
      const { replies, ...rHead } = r;
      await write(`${ri === 0 ? '' : ','}${JSON.stringify(rHead).slice(0, -1)},"replies":[`);
      for (const [pi, reply] of replies.entries()) {
        const { body, ...pHead } = reply;
        const headText = JSON.stringify(pHead);
        await write(`${pi === 0 ? '' : ','}${body === undefined ? headText : `${headText.slice(0, -1)},"body":`}`);
        if (body !== undefined) {
          await write(JSON.stringify(body));
          await write('}');
        }
      }
      await write(']}');
    }
    await write(']}');
  }
  await write(']}\n');
  out.end();
  await once(out, 'finish');
  return written;
}
