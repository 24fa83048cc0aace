/**
 * Hostile configuration: every CLI flag and environment variable of `check`,
 * `gather` and `rebalance`, every field of the fleet file (mutated from
 * config/fleet.example.json), the Lambda event and environment, the
 * credentials secret and the rebalance accounts file, fuzzed. Each input
 * either parses into sane values or fails with a ConfigError (a
 * CredentialsSecretError for the secret) that names the place (flag,
 * variable or JSON path) and the problem, in one line, without a stack trace,
 * and without any secret it was given: every password, token, seed or
 * credentials value generated here carries a marker that must never show.
 *
 * Replay a failure: FAST_CHECK_SEED=... FAST_CHECK_PATH=... npx vitest run --project unit test/unit/hostile
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../lib/checks/index.js';
import { readAccountCredentials } from '../../../lib/config/account-credentials.js';
import { parseCheckConfig, parseGatherConfig } from '../../../lib/config/check-config.js';
import { CHECK_SPECS, GATHER_SPECS, REBALANCE_SPECS, type OptionSpec } from '../../../lib/config/option-specs.js';
import { parseRebalanceConfig } from '../../../lib/config/rebalance-config.js';
import { ConfigError } from '../../../lib/errors.js';
import { parseFleetConfig } from '../../../lib/fleet/fleet-config.js';
import { CredentialsSecretError, parseCredentialsSecret } from '../../../lib/secrets/credentials-secret.js';
import { parseAuditEvent } from '../../../lib/serverless/lambda-event.js';
import { ENVIRONMENT, readLambdaEnvironment } from '../../../lib/serverless/lambda-environment.js';
import { RawJson, applyBodyMutation, hostileJson, type BodyMutation } from '../../support/hostile-replies.js';
import { propertyRuns, propertyTimeout } from '../../support/property-runs.js';

const registry = defaultRegistry();

/** Every generated secret starts with this; no error message may contain it. */
const SECRET_MARK = 'Sekr1t';
/** A message a person reads: one line, no stack, no flood. */
const MAX_MESSAGE_CHARS = 600;

const secretValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => `${SECRET_MARK}${s}`),
  // Characters that break naive splitting and quoting: a comma in a URL list, `@`, `:`, `=`, quotes, newlines.
  fc.constantFrom(',', '@', ':', '=', '"', '\n', ' ', '/', '%', '%zz', '-').map((c) => `${SECRET_MARK}${c}${SECRET_MARK}`),
  fc.constant(`-${SECRET_MARK}`),
);

interface Outcome {
  readonly error?: ConfigError | CredentialsSecretError;
}

/** Runs `parse`; any throw other than the expected error class fails the property. */
function outcomeOf(parse: () => unknown, kind: typeof ConfigError | typeof CredentialsSecretError = ConfigError): Outcome {
  try {
    parse();
    return {};
  } catch (error) {
    if (!(error instanceof kind)) throw error; // a TypeError, a failed assertion: the property fails with it
    return { error };
  }
}

/** The checks every configuration error must pass; `place` says which fields may be named. */
function expectReadable(error: ConfigError | CredentialsSecretError, place: (field: string) => boolean): void {
  const field = error instanceof ConfigError ? error.field : `credentials secret ${error.secretId}`;
  expect(place(field), `field ${JSON.stringify(field)} is not a place the input has`).toBe(true);
  expect(error.problem.trim().length, 'the problem is said').toBeGreaterThan(0);
  expect(error.message).not.toMatch(/\n\s+at /);
  expect(error.message).not.toMatch(/[\n\r]/);
  expect(error.message).not.toContain(SECRET_MARK);
  expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  // zod's own wording ("Invalid input: expected ...", "Too small: ...") must not leak through.
  expect(error.message).not.toMatch(/Invalid input|Too (small|big):|Unrecognized key|Invalid (option|element|key)/);
}

/** Every number a parsed configuration holds is finite. */
function expectFiniteNumbers(value: unknown, path = 'config'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} is ${value}`).toBe(true);
  else if (value instanceof Map || value instanceof Set) [...value.values()].forEach((v, i) => expectFiniteNumbers(v, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) expectFiniteNumbers(v, `${path}.${key}`);
  }
}

// ---------------------------------------------------------------- CLI flags and environment variables

const SECRET_FLAGS = new Set(['password', 'token']);
const SECRET_VARIABLES = new Set(['NATS_PASSWORD', 'NATS_TOKEN']);

const urlValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('nats://n1:4222', 'tls://n2:4443', 'n3', 'nats://[::1]:4222', '127.0.0.1:4222', 'http://n1:4222', 'nats://n1:99999', 'nats://', '', ',', ' , ', 'nats://n1:4222/'),
  fc.tuple(fc.constantFrom('nats://', 'tls://', ''), fc.constantFrom('sys', '', 'u%40x'), secretValue, fc.constantFrom('n1:4222', 'n1', '[::1]', 'bad host')).map(
    ([scheme, user, password, host]) => `${scheme}${user}:${password}@${host}`,
  ),
  fc.tuple(fc.constantFrom('nats://', 'tls://'), secretValue).map(([scheme, token]) => `${scheme}${token}@n1:4222`),
);

/**
 * A server URL that is bad configuration, never a host name to look up: a
 * space in it, an empty host, a port outside 1-65535, an unknown scheme.
 */
const hostLabel = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const badServerUrl: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('nats://', 'tls://', ''), fc.array(hostLabel, { minLength: 2, maxLength: 4 }), fc.constantFrom(' ', '  ', '\t')).map(
    ([scheme, words, gap]) => `${scheme}${words.join(gap)}`,
  ),
  fc.constantFrom('not a url at all', 'nats://n1 :4222', 'nats://n1: 4222'),
  fc.tuple(fc.constantFrom('nats://', 'tls://', ''), fc.constantFrom('', 'sys:pw@'), fc.constantFrom('', ':4222', ':')).map(([scheme, user, port]) => `${scheme}${user}${port}`).filter((u) => u !== ''),
  fc.tuple(hostLabel, fc.oneof(fc.constant(0), fc.integer({ min: 65_536, max: 9_999_999 }))).map(([host, port]) => `nats://${host}:${port}`),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9+.-]{0,6}$/).filter((s) => s !== 'nats' && s !== 'tls'), hostLabel).map(([scheme, host]) => `${scheme}://${host}:4222`),
);

const cliValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.constantFrom('0', '1', '-1', '3', '2.5', ' 5 ', '1e308', '1e3', 'NaN', 'Infinity', '0x10', '99999999999999999999', '9'.repeat(400), ''),
  fc.constantFrom('text', 'json', 'xml', 'JSON'),
  fc.constantFrom('clock_skew', 'route_missing,clock_skew', 'nope', ',,', 'CLOCK_SKEW'),
  fc.constantFrom('clock_skew.max_skew_ms=900', 'uneven_leader_distribution.ratio=2.5', 'x.y=z', 'clock_skew.max_skew_ms=-1', 'clock_skew.nope=1', 'meta_leader_flapping.max_changes=1.5', 'a.b='),
  fc.constantFrom('/tmp/state.json', 'sample.json', '-', '--', '\u0000'),
  fc.integer({ min: 1_000, max: 50_000 }).map((n) => 'v'.repeat(n)),
  urlValue,
);

interface CliInput {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

function cliInput(specs: Readonly<Record<string, OptionSpec>>): fc.Arbitrary<CliInput> {
  const flags = Object.values(specs);
  const valueFor = (flag: string): fc.Arbitrary<string> => (SECRET_FLAGS.has(flag) ? secretValue : flag === 'servers' ? urlValue : cliValue);
  const argument: fc.Arbitrary<string[]> = fc.oneof(
    {
      arbitrary: fc
        .constantFrom(...flags)
        .chain((spec): fc.Arbitrary<string[]> => (spec.type === 'boolean' ? fc.constant([`--${spec.flag}`]) : valueFor(spec.flag).map((v) => [`--${spec.flag}`, v]))),
      weight: 6,
    },
    { arbitrary: fc.constantFrom(...flags).chain((spec) => valueFor(spec.flag).map((v) => [`--${spec.flag}=${v}`])), weight: 2 },
    { arbitrary: fc.constantFrom(...flags).map((spec) => [`--${spec.flag}`]), weight: 1 },
    { arbitrary: fc.constantFrom('--pasword', '--tokn', '--', '-p', '--help', '--servers-list').chain((f) => secretValue.map((v) => [f, v])), weight: 1 },
    { arbitrary: cliValue.map((v) => [v]), weight: 1 },
  );
  const variables = flags.filter((spec) => spec.env !== undefined).map((spec) => spec.env!);
  // A secret variable holds a secret, NATS_URL a URL list (maybe with user info), any other anything but a bare secret.
  const variable = fc
    .constantFrom(...variables, 'XDG_STATE_HOME')
    .chain((name) => (SECRET_VARIABLES.has(name) ? secretValue : name === 'NATS_URL' ? urlValue : cliValue).map((value) => [name, value] as const));
  const env = fc.array(variable, { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs));
  return fc.record({ argv: fc.array(argument, { maxLength: 6 }).map((a) => a.flat()), env });
}

function cliPlace(specs: Readonly<Record<string, OptionSpec>>): (field: string) => boolean {
  const places = new Set(['arguments', ...Object.values(specs).flatMap((s) => [`--${s.flag}`, ...(s.env ? [s.env] : [])])]);
  return (field) => places.has(field);
}

const COMMANDS = [
  { name: 'check', specs: CHECK_SPECS, parse: (i: CliInput) => parseCheckConfig(i.argv, i.env, registry) },
  { name: 'gather', specs: GATHER_SPECS, parse: (i: CliInput) => parseGatherConfig(i.argv, i.env) },
  { name: 'rebalance', specs: REBALANCE_SPECS, parse: (i: CliInput) => parseRebalanceConfig(i.argv, i.env) },
] as const;

// ---------------------------------------------------------------- JSON documents

/** Hostile JSON values for configuration documents: those of the replies, plus secrets. */
const hostileConfigJson: fc.Arbitrary<RawJson> = fc.oneof(hostileJson, secretValue.map((s) => new RawJson(JSON.stringify(s), JSON.stringify(s))));

const treeMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), node: fc.nat({ max: 10_000 }), json: hostileConfigJson }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), node: fc.nat({ max: 10_000 }) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      node: fc.nat({ max: 10_000 }),
      key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'name', 'password', 'token', 'extra')),
      json: hostileConfigJson,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: 10_000 }) }), weight: 1 },
);

/** `base` as JSON text with one to three tree mutations applied. */
function mutatedJson(base: unknown): fc.Arbitrary<string> {
  const text = JSON.stringify(base);
  return fc.array(treeMutation, { minLength: 1, maxLength: 3 }).map((steps) => steps.reduce((body, step) => applyBodyMutation(body, step, { others: [] }), text));
}

function parsedOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const FLEET_EXAMPLE: unknown = JSON.parse(readFileSync(new URL('../../../config/fleet.example.json', import.meta.url), 'utf8'));

/** A fleet error names `fleet.json: <path>`, never a value of the file. */
const fleetPlace = (field: string) => /^fleet\.json: (\(root\)|[A-Za-z_$][\w$-]*|\S)/.test(field);

const VALID_SECRETS = [
  { user: 'sys', password: `${SECRET_MARK}pw` },
  { token: `${SECRET_MARK}tok` },
  { nkeySeed: `${SECRET_MARK}SUAB` },
  { creds: `${SECRET_MARK}-----BEGIN NATS USER JWT-----` },
  { user: 'sys', password: `${SECRET_MARK}pw`, tls: { ca: 'CA', cert: 'CERT', key: `${SECRET_MARK}KEY` }, accounts: { APP: { user: 'app', password: `${SECRET_MARK}app` }, OPS: { token: `${SECRET_MARK}ops` } } },
];

const VALID_ACCOUNTS = { accounts: { APP: { user: 'app', password: `${SECRET_MARK}app` }, OPS: { creds: '/etc/nats/ops.creds' }, T: { token: `${SECRET_MARK}t` }, N: { nkey: '/k' } } };

const lambdaClusters = parseFleetConfig(FLEET_EXAMPLE, registry).clusters;
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:nats-audit-findings';
const lambdaPlace = (field: string) =>
  Object.values(ENVIRONMENT).some((name) => field === name) || new RegExp(`^${ENVIRONMENT.clusters}\\[\\d+\\]([.[].*)?$`).test(field);

const scratch = mkdtempSync(join(tmpdir(), 'nats-audit-hostile-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('hostile configuration (property-based)', () => {
  for (const command of COMMANDS) {
    it(`${command.name}: every flag and variable fuzzed, each error names its flag or variable and never a secret`, () => {
      const place = cliPlace(command.specs);
      fc.assert(
        fc.property(cliInput(command.specs), (input) => {
          const { error } = outcomeOf(() => expectFiniteNumbers(command.parse(input)));
          if (error) expectReadable(error, place);
        }),
        propertyRuns(1_500),
      );
    }, propertyTimeout(60_000));
  }

  it('fleet file: mutations of the example, each error names its JSON path and never a value', () => {
    fc.assert(
      fc.property(mutatedJson(FLEET_EXAMPLE), (text) => {
        const { error } = outcomeOf(() => expectFiniteNumbers(parseFleetConfig(parsedOrRaw(text), registry, 'fleet.json')));
        if (error) expectReadable(error, fleetPlace);
      }),
      propertyRuns(1_500),
    );
  }, propertyTimeout(60_000));

  it('Lambda event: mutations and arbitrary values, each error names the event field', () => {
    const event = fc.oneof(
      mutatedJson({ cluster: 'payments-eu', scheduledTime: '2026-11-23T16:40:00Z' }).map(parsedOrRaw),
      fc.anything({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(event, (e) => {
        const { error } = outcomeOf(() => parseAuditEvent(e));
        if (error) expectReadable(error, (field) => /^event(\.[\w$.-]*)?$/.test(field));
      }),
      propertyRuns(1_000),
    );
  }, propertyTimeout(60_000));

  it('Lambda environment: the clusters JSON mutated, variables missing or garbage, each error names its variable', () => {
    const variable = (valid: string) => fc.option(fc.oneof(fc.constant(valid), cliValue), { nil: undefined, freq: 4 });
    const env = fc.record({
      [ENVIRONMENT.clusters]: fc.option(mutatedJson(lambdaClusters), { nil: undefined, freq: 10 }),
      [ENVIRONMENT.table]: variable('audit-state'),
      [ENVIRONMENT.topicArn]: variable(TOPIC),
      [ENVIRONMENT.historyDays]: variable('30'),
    });
    fc.assert(
      fc.property(env, (e) => {
        let clusters: readonly unknown[] = [];
        const { error } = outcomeOf(() => {
          const read = readLambdaEnvironment(e);
          expectFiniteNumbers(read);
          clusters = [...read.clusters.values()];
        });
        if (error) expectReadable(error, lambdaPlace);
        // An invalid cluster is kept as its error, for its epochs to report.
        for (const c of clusters) if (c instanceof ConfigError) expectReadable(c, lambdaPlace);
      }),
      propertyRuns(1_000),
    );
  }, propertyTimeout(60_000));

  it('credentials secret: mutations of every valid shape, each error names the field and never a value', () => {
    const text = fc.oneof(fc.constantFrom(...VALID_SECRETS).chain(mutatedJson), secretValue, fc.constant(undefined));
    fc.assert(
      fc.property(text, (t) => {
        const { error } = outcomeOf(() => parseCredentialsSecret('nats-audit/east', t), CredentialsSecretError);
        if (error) expectReadable(error, (field) => field === 'credentials secret nats-audit/east');
      }),
      propertyRuns(1_000),
    );
  }, propertyTimeout(60_000));

  it('rebalance accounts file: mutations, each error names --accounts and never a value', async () => {
    const path = join(scratch, 'accounts.json');
    await fc.assert(
      fc.asyncProperty(mutatedJson(VALID_ACCOUNTS), async (text) => {
        writeFileSync(path, text);
        let error: unknown;
        try {
          expectFiniteNumbers(await readAccountCredentials(path, '--accounts'));
        } catch (e) {
          error = e;
        }
        if (error === undefined) return;
        expect(error).toBeInstanceOf(ConfigError);
        expectReadable(error as ConfigError, (field) => field === '--accounts');
      }),
      propertyRuns(500),
    );
  }, propertyTimeout(60_000));
  it('a bad server URL (space, empty host, port outside 1-65535, unknown scheme) is refused, naming where it came from', () => {
    const fleet = FLEET_EXAMPLE as { clusters: { servers: string[] }[] };
    fc.assert(
      fc.property(badServerUrl, fc.nat({ max: 2 }), (bad, at) => {
        // Among good URLs, at any position of the list.
        const list = ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'];
        list.splice(at, 0, bad);
        const urls = list.join(',');
        for (const command of COMMANDS) {
          const required = command.name === 'gather' ? ['--out', 'sample.json.gz'] : [];
          const flag = outcomeOf(() => command.parse({ argv: [...required, '--servers', urls], env: {} })).error;
          expect(flag, `${command.name} --servers ${JSON.stringify(urls)}`).toBeInstanceOf(ConfigError);
          expect((flag as ConfigError).field).toBe('--servers');
          const variable = outcomeOf(() => command.parse({ argv: required, env: { NATS_URL: urls } })).error;
          expect(variable, `${command.name} NATS_URL=${JSON.stringify(urls)}`).toBeInstanceOf(ConfigError);
          expect((variable as ConfigError).field).toBe('NATS_URL');
        }

        const file = structuredClone(fleet);
        file.clusters[0]!.servers.splice(at, 0, bad);
        const fileError = outcomeOf(() => parseFleetConfig(file, registry, 'fleet.json')).error;
        expect(fileError, `fleet servers ${JSON.stringify(bad)}`).toBeInstanceOf(ConfigError);
        expect((fileError as ConfigError).field).toBe(`fleet.json: clusters[0].servers[${at}]`);

        const env = structuredClone(lambdaClusters) as unknown as { servers: string[] }[];
        env[0]!.servers.splice(at, 0, bad);
        const read = readLambdaEnvironment({
          [ENVIRONMENT.clusters]: JSON.stringify(env),
          [ENVIRONMENT.table]: 'audit-state',
          [ENVIRONMENT.topicArn]: TOPIC,
          [ENVIRONMENT.historyDays]: '30',
        });
        const kept = read.clusters.get(lambdaClusters[0]!.name);
        expect(kept, `Lambda servers ${JSON.stringify(bad)}`).toBeInstanceOf(ConfigError);
        expect((kept as ConfigError).field).toBe(`${ENVIRONMENT.clusters}[0].servers[${at}]`);
        expectReadable(kept as ConfigError, lambdaPlace);
      }),
      propertyRuns(300),
    );
  }, propertyTimeout(60_000));
});
