/**
 * Hostile variants of the recorded replies in test/fixtures/replies, for the
 * property tests: a mutation is plain data (so fast-check prints and shrinks
 * it), applied to one server's reply through some vantages of a three-server
 * sample whose other replies stay as recorded.
 *
 * Two clusters: `capc`, the real 2.9.10 recordings (n1, n2, n3; no RAFTZ, so
 * each vantage gets the no-responders status), and `east`, the hand-built
 * 2.10 / 2.11 / 2.12 replies (nats-a, nats-b, nats-c, with RAFTZ). A server
 * whose ROUTEZ was not recorded gets the recorded one re-labelled: server
 * block swapped, route ids and names of the two servers exchanged.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Endpoint, RawReply, RawRequest, RawSample, RawVantage } from '../../lib/domain/raw-sample.js';
import { SAMPLE_TYPE } from '../../lib/domain/raw-sample.js';
import { defaultRegistry } from '../../lib/checks/index.js';
import { runEpoch } from '../../lib/epoch/run-epoch.js';
import type { Report } from '../../lib/epoch/report.js';
import { MemoryStateStore } from '../../lib/state/state-store.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/replies/${name}`, import.meta.url), 'utf8');
}

// ---------------------------------------------------------------- clusters of recorded replies

export interface RecordedServer {
  readonly name: string;
  readonly id: string;
  readonly replies: Readonly<Partial<Record<Endpoint, string>>>;
}

export interface RecordedCluster {
  readonly label: string;
  /** Near the recorded `server.time`s, so clocks read as roughly in sync. */
  readonly startedAt: number;
  readonly servers: readonly RecordedServer[];
}

interface Identity {
  readonly name: string;
  readonly id: string;
}

interface Envelope {
  server: { name: string; id: string } & Record<string, unknown>;
  data?: { routes?: { remote_id: string; remote_name?: string }[] } & Record<string, unknown>;
}

function serverBlock(body: string): Envelope['server'] {
  return (JSON.parse(body) as Envelope).server;
}

/** The ROUTEZ `recorded` sent by `from`, as `to` would send it: identities of `from` and `to` exchanged. */
function relabelRoutez(recorded: string, from: Identity, to: Identity & { block: Envelope['server'] }): string {
  const reply = JSON.parse(recorded) as Envelope;
  const swapId = (id: string) => (id === to.id ? from.id : id === from.id ? to.id : id);
  const swapName = (name: string) => (name === to.name ? from.name : name === from.name ? to.name : name);
  for (const route of reply.data?.routes ?? []) {
    route.remote_id = swapId(route.remote_id);
    if (route.remote_name !== undefined) route.remote_name = swapName(route.remote_name);
  }
  if (reply.data && 'server_id' in reply.data) reply.data.server_id = to.id;
  if (reply.data && 'server_name' in reply.data) reply.data.server_name = to.name;
  return JSON.stringify({ ...reply, server: to.block });
}

function clusterOf(label: string, startedAt: string, jsz: readonly string[], routez: string, raftz: readonly string[] = []): RecordedCluster {
  const blocks = jsz.map(serverBlock);
  const identities = blocks.map((b) => ({ name: b.name, id: b.id }));
  const routezSender = serverBlock(routez);
  const sender = identities.find((s) => s.id === routezSender.id)!;
  const servers = identities.map((identity, i): RecordedServer => {
    const raft = raftz.find((body) => serverBlock(body).id === identity.id);
    const ownRoutez =
      identity.id === sender.id ? routez : relabelRoutez(routez, sender, { ...identity, block: blocks[i]! });
    return { ...identity, replies: { JSZ: jsz[i]!, ROUTEZ: ownRoutez, ...(raft === undefined ? {} : { RAFTZ: raft }) } };
  });
  return { label, startedAt: Date.parse(startedAt), servers };
}

export const RECORDED_CLUSTERS: readonly RecordedCluster[] = [
  clusterOf(
    'capc (real 2.9.10)',
    '2026-11-23T14:27:45.562Z',
    [fixture('jsz-2.9.10-follower.json'), fixture('jsz-2.9.10-meta-leader.json'), fixture('jsz-2.9.10-stream-leader.json')],
    fixture('routez-2.9.10.json'),
  ),
  clusterOf(
    'east (2.10-2.12)',
    '2025-11-20T07:15:00.900Z',
    [fixture('jsz-2.10.29-meta-leader.json'), fixture('jsz-2.10.20-follower.json'), fixture('jsz-2.11.12-raft.json')],
    fixture('routez-2.10.29.json'),
    [fixture('raftz-2.11.12-leader.json'), fixture('raftz-2.10.29-follower.json'), fixture('raftz-2.12.15-candidate.json')],
  ),
];

// ---------------------------------------------------------------- hostile values

/** Number literals JSON allows but Go's encoder would never send for these fields, or only at their limits. */
export const HOSTILE_NUMBERS = [
  '1e308',
  '-1e308',
  '1e999',
  '-1e999',
  '-1',
  '0',
  '-0',
  '0.5',
  '4294967296',
  '9007199254740993',
  '18446744073709551615',
  '18446744073709551616',
  '-9223372036854775808',
  `1${'0'.repeat(400)}`,
] as const;

/** Strings a lenient parser might take for numbers or keywords. */
const NUMBERISH_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e999', '0x1F', '', ' ', 'null', 'true', '\u0000', '__proto__', '𝕟𝟙'] as const;

/** Keys worth inserting: the ones the parsers read, and the ones that bite careless object handling. */
const HOSTILE_KEYS = [
  'server',
  'data',
  'error',
  'name',
  'id',
  'leader',
  'replicas',
  'cluster_size',
  'meta_cluster',
  'account_details',
  'stream_detail',
  'routes',
  '_meta_',
  'peers',
  'term',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
] as const;

/**
 * Raw JSON text to put somewhere in a reply; `label` is what a failing case
 * prints instead of the text (10k brackets would bury the counterexample).
 */
export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string = text,
  ) {}
  [fc.toStringMethod](): string {
    return this.label;
  }
}

const raw = (text: string) => new RawJson(text);
const nested = (depth: number, open: string, leaf: string, close: string) =>
  new RawJson(open.repeat(depth) + leaf + close.repeat(depth), `${open}×${depth}${leaf}${close}×${depth}`);

/** A replica list naming `n` servers nobody has heard of. */
function ghostPeers(n: number): RawJson {
  const peers = Array.from({ length: n }, (_, i) => ({ name: `ghost-${i}`, current: i % 2 === 0, active: 1_000_000, peer: `G${i}` }));
  return new RawJson(JSON.stringify(peers), `[${n} ghost peers]`);
}

/** A hostile JSON value: numbers beyond a double and 10k-deep nesting survive as raw text. */
export const hostileJson: fc.Arbitrary<RawJson> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => raw(JSON.stringify(v) ?? 'null')), weight: 4 },
  { arbitrary: fc.constantFrom(...HOSTILE_NUMBERS).map(raw), weight: 4 },
  { arbitrary: fc.constantFrom(...NUMBERISH_STRINGS).map((s) => raw(JSON.stringify(s))), weight: 2 },
  { arbitrary: fc.constantFrom('null', 'true', 'false', '""', '[]', '{}', '[null]', '{"":null}').map(raw), weight: 2 },
  { arbitrary: fc.integer({ min: 100, max: 10_000 }).map((d) => nested(d, '[', '', ']')), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 10_000 }).map((d) => nested(d, '{"a":', '0', '}')), weight: 1 },
  { arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => new RawJson(JSON.stringify('x'.repeat(n)), `"x"×${n}`)), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 3_000 }).map(ghostPeers), weight: 1 },
  {
    arbitrary: fc
      .constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"toString":1,"valueOf":"x"}')
      .map(raw),
    weight: 1,
  },
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 }));

// ---------------------------------------------------------------- mutations

/** One change to a reply body. `node` picks a JSON node (modulo the node count), `at` a byte (modulo the length). */
export type BodyMutation =
  | { readonly kind: 'replace'; readonly node: number; readonly json: RawJson }
  | { readonly kind: 'delete'; readonly node: number }
  | { readonly kind: 'insert'; readonly node: number; readonly key: string; readonly json: RawJson }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'splice'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'byte-order-mark' }
  | { readonly kind: 'deep'; readonly depth: number; readonly under: 'data' | 'server' | 'root' }
  /** Say another server of the sample sent it: its name, and with `id` its id too. */
  | { readonly kind: 'claim'; readonly other: number; readonly id: boolean }
  /** Keep the name, take another server's id. */
  | { readonly kind: 'claim-id'; readonly other: number }
  /** JSZ: the meta group claims `size` servers and lists `size - 1` replicas nobody has heard of. */
  | { readonly kind: 'ghost-cluster'; readonly size: number }
  /** The server answered with an error (`{"server", "error": {code, description}}`), with or without its data. */
  | { readonly kind: 'error'; readonly code: string; readonly description: RawJson; readonly keepData: boolean };

/** What becomes of the reply as a whole. */
export type ReplyMutation =
  | { readonly kind: 'body'; readonly steps: readonly BodyMutation[] }
  /** The 503 status NATS sends when nobody serves the subject, in place of the reply. */
  | { readonly kind: 'no-responders' }
  /** Another status without a body (408 timeout, 500...). */
  | { readonly kind: 'status'; readonly status: number }
  /** What gathering records for bad gzip or a body over the size cap. */
  | { readonly kind: 'decode-error'; readonly message: string }
  /** The reply arrives twice; the second copy possibly changed. */
  | { readonly kind: 'duplicate'; readonly steps: readonly BodyMutation[] }
  /** The reply never arrives. */
  | { readonly kind: 'lost' };

const anyNode = fc.nat({ max: 100_000 });
const someBytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 512 });

export const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), node: anyNode, json: hostileJson }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), node: anyNode }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), node: anyNode, key: hostileKey, json: hostileJson }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: anyNode }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('splice' as const), at: anyNode, bytes: someBytes }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: someBytes }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(fc.constantFrom('', ' ', '\n', '[]', 'null', '"x"', '1e999', '{', '{}', '{"server":null}', '{"server":{}}'), fc.string({ maxLength: 40 })),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'byte-order-mark' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      depth: fc.integer({ min: 1_000, max: 10_000 }),
      under: fc.constantFrom('data' as const, 'server' as const, 'root' as const),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('claim' as const), other: fc.nat({ max: 1 }), id: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('ghost-cluster' as const), size: fc.integer({ min: 4, max: 1_000 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('claim-id' as const), other: fc.nat({ max: 1 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('error' as const),
      code: fc.oneof(fc.constantFrom('503', '400', '500', '404'), fc.constantFrom(...HOSTILE_NUMBERS), fc.constantFrom('"503"', 'null', '{}')),
      description: fc.oneof(
        fc.string({ maxLength: 60 }).map((d) => raw(JSON.stringify(d))),
        fc.integer({ min: 1_000, max: 100_000 }).map((n) => new RawJson(JSON.stringify('e'.repeat(n)), `"e"×${n}`)),
      ),
      keepData: fc.boolean(),
    }),
    weight: 2,
  },
);

/** One to three body mutations, applied in order. */
export const bodyMutations = fc.array(bodyMutation, { minLength: 1, maxLength: 3 });
const steps = bodyMutations;

export const replyMutation: fc.Arbitrary<ReplyMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('body' as const), steps }), weight: 20 },
  { arbitrary: fc.constant({ kind: 'no-responders' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(408, 500, 404, 0, 999) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('decode-error' as const),
      message: fc.constantFrom('gzip body inflates beyond the 67108864-byte cap', 'corrupt gzip body (Z_DATA_ERROR)', 'unsupported Content-Encoding "br"'),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('duplicate' as const), steps: fc.oneof(fc.constant([]), steps) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'lost' as const }), weight: 1 },
);

/** Stands in for a node's new value until the raw JSON text is spliced in after stringifying. */
const RAW_MARK = '\u0001raw\u0001';
const RAW_MARK_JSON = JSON.stringify(RAW_MARK);

interface NodeRef {
  readonly parent: Record<string, unknown> | unknown[] | undefined;
  readonly key: string | number | undefined;
  readonly value: unknown;
}

/** Every node of a parsed JSON tree, root first (depth-first). */
function nodesOf(root: unknown): NodeRef[] {
  const nodes: NodeRef[] = [];
  const stack: NodeRef[] = [{ parent: undefined, key: undefined, value: root }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    nodes.push(node);
    const value = node.value;
    if (Array.isArray(value)) value.forEach((child, i) => stack.push({ parent: value, key: i, value: child }));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) stack.push({ parent: value as Record<string, unknown>, key, value: child });
    }
  }
  return nodes;
}

function setOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  // defineProperty, so a `__proto__` key becomes data as JSON.parse would make it, not a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A new member under `key`: a property of an object, or a new last element of
 * an array, where a named key would be no JSON at all (and `length` cannot be
 * redefined).
 */
function insertOwn(target: Record<string, unknown> | unknown[], key: string, value: unknown): void {
  if (Array.isArray(target)) target.push(value);
  else setOwn(target, key, value);
}

/** Stringifies `tree` with the node holding RAW_MARK replaced by the raw JSON `text`. */
function withRaw(tree: unknown, text: string): string {
  const json = JSON.stringify(tree);
  const at = json.indexOf(RAW_MARK_JSON);
  return at < 0 ? json : json.slice(0, at) + text + json.slice(at + RAW_MARK_JSON.length);
}

function tryParse(body: string): { ok: true; tree: unknown } | { ok: false } {
  try {
    return { ok: true, tree: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

const utf8 = new TextEncoder();
/** Decodes as gathering does: invalid sequences become U+FFFD. */
const decoder = new TextDecoder();

export interface MutationContext {
  /** The other two servers of the sample, in order. */
  readonly others: readonly Identity[];
}

/**
 * Applies one body mutation. A tree operation on a body that is no longer
 * JSON, or too deep for JSON.stringify (it recurses; JSON.parse does not),
 * leaves it as is.
 */
export function applyBodyMutation(body: string, m: BodyMutation, context: MutationContext): string {
  try {
    return applyUnguarded(body, m, context);
  } catch (error) {
    if (error instanceof RangeError) return body;
    throw error;
  }
}

function applyUnguarded(body: string, m: BodyMutation, context: MutationContext): string {
  switch (m.kind) {
    case 'truncate': {
      const bytes = utf8.encode(body);
      return decoder.decode(bytes.slice(0, m.at % (bytes.length + 1)));
    }
    case 'splice': {
      const bytes = utf8.encode(body);
      const at = m.at % (bytes.length + 1);
      return decoder.decode(new Uint8Array([...bytes.slice(0, at), ...m.bytes, ...bytes.slice(at)]));
    }
    case 'bytes':
      return decoder.decode(new Uint8Array(m.bytes));
    case 'text':
      return m.text;
    case 'byte-order-mark':
      return `\uFEFF${body}`;
    default:
      break;
  }
  const parsed = tryParse(body);
  if (!parsed.ok || typeof parsed.tree !== 'object' || parsed.tree === null) return body;
  const tree = parsed.tree as Record<string, unknown>;
  switch (m.kind) {
    case 'replace':
    case 'delete':
    case 'insert': {
      const nodes = nodesOf(tree);
      const node = nodes[m.node % nodes.length]!;
      if (m.kind === 'replace') {
        if (node.parent === undefined) return m.json.text;
        setOwn(node.parent, node.key!, RAW_MARK);
        return withRaw(tree, m.json.text);
      }
      if (m.kind === 'delete') {
        if (node.parent === undefined) return '';
        if (Array.isArray(node.parent)) node.parent.splice(node.key as number, 1);
        else delete node.parent[node.key as string];
        return JSON.stringify(tree);
      }
      const target = typeof node.value === 'object' && node.value !== null && !Array.isArray(node.value) ? node.value : tree;
      insertOwn(target as Record<string, unknown> | unknown[], m.key, RAW_MARK);
      return withRaw(tree, m.json.text);
    }
    case 'deep': {
      const deep = '['.repeat(m.depth) + ']'.repeat(m.depth);
      if (m.under === 'root') return deep;
      insertOwn(tree, m.under, RAW_MARK);
      return withRaw(tree, deep);
    }
    case 'claim':
    case 'claim-id': {
      const other = context.others[m.other % context.others.length]!;
      const server = tree.server;
      if (typeof server !== 'object' || server === null) return body;
      if (m.kind === 'claim') {
        setOwn(server as Record<string, unknown>, 'name', other.name);
        if (m.id) setOwn(server as Record<string, unknown>, 'id', other.id);
      } else {
        setOwn(server as Record<string, unknown>, 'id', other.id);
      }
      return JSON.stringify(tree);
    }
    case 'ghost-cluster': {
      const data = tree.data;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return body;
      const ghosts = JSON.parse(ghostPeers(m.size - 1).text) as unknown;
      setOwn(data as Record<string, unknown>, 'meta_cluster', { name: 'ghosts', leader: 'ghost-0', cluster_size: m.size, replicas: ghosts });
      return JSON.stringify(tree);
    }
    case 'error': {
      const { data, ...rest } = tree;
      const keep = m.keepData ? { ...rest, data } : rest;
      setOwn(keep, 'error', RAW_MARK);
      return withRaw(keep, `{"code":${m.code},"description":${m.description.text}}`);
    }
  }
}

/** The replies that stand for one server's reply after the mutation (none, one or two). */
export function mutatedReplies(original: RawReply, m: ReplyMutation, context: MutationContext): RawReply[] {
  const withBody = (body: string): RawReply => ({ ...original, wireBytes: body.length, body });
  const mutate = (stepsToApply: readonly BodyMutation[]) =>
    stepsToApply.reduce((body, step) => applyBodyMutation(body, step, context), original.body ?? '');
  switch (m.kind) {
    case 'body':
      return [withBody(mutate(m.steps))];
    case 'no-responders':
      return [{ latencyMs: original.latencyMs, receivedAt: original.receivedAt, wireBytes: 0, status: 503 }];
    case 'status':
      return [{ latencyMs: original.latencyMs, receivedAt: original.receivedAt, wireBytes: 0, status: m.status }];
    case 'decode-error':
      return [{ latencyMs: original.latencyMs, receivedAt: original.receivedAt, wireBytes: 1_000, decodeError: m.message }];
    case 'duplicate':
      return [original, { ...withBody(mutate(m.steps)), receivedAt: original.receivedAt + 1 }];
    case 'lost':
      return [];
  }
}

// ---------------------------------------------------------------- samples

export interface HostileCase {
  /** {@link RecordedCluster.label}: a label, so a printed counterexample stays short. */
  readonly cluster: string;
  readonly endpoint: Endpoint;
  /** Index of the server whose reply is mutated. */
  readonly victim: number;
  /** Indexes of the vantages that carry the mutated reply (the others carry the recorded one). */
  readonly through: readonly number[];
  readonly mutation: ReplyMutation;
}

export const ENDPOINTS: readonly Endpoint[] = ['JSZ', 'ROUTEZ', 'RAFTZ'];

export function recordedCluster(label: string): RecordedCluster {
  const found = RECORDED_CLUSTERS.find((c) => c.label === label);
  if (!found) throw new Error(`no recorded cluster ${label}`);
  return found;
}

const LATENCY_MS = 4;

export function vantageUrl(server: RecordedServer): string {
  return `nats://${server.name}:4222`;
}

/**
 * The sample every vantage of `cluster` would gather with each server's
 * recorded replies, except that `hostile` (if given) replaces the victim's
 * reply to its endpoint through the chosen vantages.
 */
export function recordedSample(cluster: RecordedCluster, hostile?: Omit<HostileCase, 'cluster'>): RawSample {
  const startedAt = cluster.startedAt;
  const vantages = cluster.servers.map((via, v): RawVantage => {
    const requests = ENDPOINTS.map((endpoint): RawRequest => {
      const replies: RawReply[] = [];
      cluster.servers.forEach((server, s) => {
        const body = server.replies[endpoint];
        if (body === undefined) return;
        const latencyMs = LATENCY_MS + s;
        const reply: RawReply = { latencyMs, receivedAt: startedAt + latencyMs, wireBytes: body.length, body };
        if (hostile && hostile.endpoint === endpoint && hostile.victim === s && hostile.through.includes(v)) {
          const others = cluster.servers.filter((_, i) => i !== s);
          replies.push(...mutatedReplies(reply, hostile.mutation, { others }));
        } else {
          replies.push(reply);
        }
      });
      const base = { endpoint, subject: `$SYS.REQ.SERVER.PING.${endpoint}`, requestBody: '{}', sentAt: startedAt, durationMs: 20 };
      if (replies.length === 0) {
        // Before 2.10.26 nobody serves RAFTZ: one empty 503 status message.
        return { ...base, ended: 'no-responders', replies: [{ latencyMs: 1, receivedAt: startedAt + 1, wireBytes: 0, status: 503 }] };
      }
      return { ...base, ended: 'all-expected', replies };
    });
    return { url: vantageUrl(via), connected: true, connectMs: 1, serverName: via.name, serverId: via.id, requests };
  });
  return { type: SAMPLE_TYPE, startedAt, durationMs: 50, vantages };
}

function clustersWith(endpoint: Endpoint): string[] {
  return RECORDED_CLUSTERS.filter((c) => c.servers.every((s) => s.replies[endpoint] !== undefined)).map((c) => c.label);
}

/** A case for `endpoint`: clusters without a recording of it (2.9.10 has no RAFTZ) are left out. */
export function hostileCase(endpoint: Endpoint): fc.Arbitrary<HostileCase> {
  return fc.record({
    cluster: fc.constantFrom(...clustersWith(endpoint)),
    endpoint: fc.constant(endpoint),
    victim: fc.nat({ max: 2 }),
    through: fc.subarray([0, 1, 2], { minLength: 1 }),
    mutation: replyMutation,
  });
}

/** One recorded reply to `endpoint` and the body mutations to apply to it. */
export interface HostileBody {
  readonly cluster: string;
  readonly server: number;
  readonly steps: readonly BodyMutation[];
}

export function hostileBody(endpoint: Endpoint): fc.Arbitrary<HostileBody> {
  return fc.record({ cluster: fc.constantFrom(...clustersWith(endpoint)), server: fc.nat({ max: 2 }), steps: bodyMutations });
}

/** The `data` of a reply body, when the body is a JSON object (`found`); a mutated body may be neither. */
export function dataOf(body: string): { found: boolean; data?: unknown } {
  try {
    const envelope: unknown = JSON.parse(body);
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return { found: false };
    return { found: true, data: (envelope as Record<string, unknown>)['data'] };
  } catch {
    return { found: false };
  }
}

/** The body `hostile` describes, and the recorded body it came from. */
export function mutatedBody(endpoint: Endpoint, hostile: HostileBody): { readonly original: string; readonly body: string } {
  const cluster = recordedCluster(hostile.cluster);
  const server = cluster.servers[hostile.server]!;
  const original = server.replies[endpoint]!;
  const context = { others: cluster.servers.filter((s) => s !== server) };
  return { original, body: hostile.steps.reduce((body, step) => applyBodyMutation(body, step, context), original) };
}

const hostileRegistry = defaultRegistry();

/** One epoch over `sample` with every check and a fresh memory store, as the property tests judge a mutated sample. */
export async function auditEpoch(sample: RawSample): Promise<{ report: Report }> {
  const result = await runEpoch({
    sample: async () => sample,
    store: new MemoryStateStore(),
    clusterKey: 'hostile',
    registry: hostileRegistry,
    checks: { skip: new Set(), thresholds: {} },
    persistence: { epochs: 2, minMs: 0 },
    now: () => sample.startedAt + 100,
  });
  return { report: result.report };
}
