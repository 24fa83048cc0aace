/**
 * Every way the auditor can be run, with recognisable secrets, and then a
 * search for those secrets in everything it wrote: CLI output and errors,
 * sample and state files, the HTML report, DynamoDB items, SNS messages,
 * the handler's logs and metrics. None may hold a password, token or account
 * password, whether the run succeeded, failed, or was refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterConfigs, lambdaContext, startAuditStack, type AuditStack } from '../support/audit-stack.js';
import { runCli, systemEnv, useTempDir, type CliResult } from '../support/cli.js';
import { useCluster } from '../support/cluster.js';
import { useSingleServer } from '../support/single-server.js';
import { testFleet, writeFleetFile } from '../support/fleet-file.js';
import type { ReceivedMessage } from '../support/fauxqs.js';

/** Values that must never appear anywhere the auditor writes; each one easy to spot. */
const WRONG_PASSWORD = 'S3cr3t-Pw-7f3a';
const TOKEN = 'T0ken-9c1e-S3cr3t';
const URL_PASSWORD = 'Ur1-Pw-4b2d-S3cr3t';
const WRONG_TOKEN = 'T0ken-wr0ng-5d7a-S3cr3t';
/** Refused at once: nothing listens on port 1. */
const DEAD_URL = 'nats://127.0.0.1:1';

describe('secrets never leak, from the CLI or the scheduled auditor', () => {
  const cluster = useCluster(3);
  const dir = useTempDir();
  // A token reaches the system account only where the system account is $G
  // (and $G then may not have JetStream, so another account does): the
  // shape check-auth.test.ts audits with --token. One server, so the pages
  // rendered with an accepted token are real, judged epochs.
  const tokenServer = useSingleServer(
    ({ port, dir: serverDir }) => `listen: 127.0.0.1:${port}
server_name: leak-token
jetstream { store_dir: "${join(serverDir, 'js')}" }
authorization { token: "${TOKEN}" }
accounts { APP: { jetstream: enabled } }
system_account: "$G"
`,
    { label: 'leak-token' },
  );
  let stack: AuditStack;
  beforeAll(async () => {
    stack = await startAuditStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Every secret of this run: the harness's generated system and APP passwords, and the made-up ones. */
  const secrets = () => [cluster().system.password, cluster().app.password, WRONG_PASSWORD, TOKEN, URL_PASSWORD, WRONG_TOKEN];

  function expectClean(what: string, text: string): void {
    for (const secret of secrets()) expect(text.includes(secret), `${what} contains the secret ${secret.slice(0, 3)}…`).toBe(false);
  }

  it('every CLI command and error path: stdout, stderr, the sample and the state files', async () => {
    // Prepare
    const c = cluster();
    await c.waitForMetaLeader();
    const env = systemEnv(c);
    const state = join(dir, 'state.json');
    const sampleState = join(dir, 'sample-state.json');
    const sample = join(dir, 'sample.json');
    const accounts = join(dir, 'accounts.json');
    writeFileSync(accounts, JSON.stringify({ accounts: { APP: { user: c.app.user, password: c.app.password } } }), { mode: 0o600 });
    stack.secrets.put('leak/good', JSON.stringify({ user: c.system.user, password: c.system.password, accounts: { APP: { user: c.app.user, password: c.app.password } } }));
    stack.secrets.put('leak/wrong', JSON.stringify({ user: c.system.user, password: WRONG_PASSWORD }));
    const fleet = writeFleetFile(
      dir,
      'fleet.json',
      testFleet([
        { name: 'good', servers: [...c.urls, DEAD_URL], credentialsSecret: 'leak/good', expectServers: 3 },
        { name: 'wrong', servers: [...c.urls], credentialsSecret: 'leak/wrong', audit: { timeoutMs: 1_500 } },
      ]),
    );
    const awsEnv = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.secrets.endpoint };
    const port = new URL(c.urls[0]!).port;
    const wrongEnv = { ...env, NATS_PASSWORD: WRONG_PASSWORD };
    const token = tokenServer();
    /** The lone token server answers at once: stop at its reply, not the deadline. */
    const oneServer = ['--expect-servers', '1', '--timeout', '2000', '--state', state];

    // Act: [what, args, env, expected exit code]
    const runs: [string, string[], Record<string, string>, number][] = [
      ['check', ['check', '--state', state], env, 0],
      ['check --format json', ['check', '--format', 'json', '--state', state], env, 0],
      ['check --format html', ['check', '--format', 'html', '--state', state], env, 0],
      ['check --fleet', ['check', '--fleet', fleet, '--format', 'json', '--state', state], awsEnv, 1],
      ['check --fleet (text)', ['check', '--fleet', fleet, '--state', state], awsEnv, 1],
      ['gather --out', ['gather', '--out', sample], env, 0],
      ['check --sample', ['check', '--sample', sample, '--state', sampleState], {}, 0],
      ['check --sample --format html', ['check', '--sample', sample, '--format', 'html'], {}, 0],
      ['rebalance (dry run)', ['rebalance', '--accounts', accounts], env, 0],
      ['rebalance --format json', ['rebalance', '--accounts', accounts, '--format', 'json'], env, 0],
      ['rebalance --execute', ['rebalance', '--execute', '--accounts', accounts, '--max-moves', '1'], env, 0],
      ['wrong NATS_PASSWORD', ['check', '--state', state], wrongEnv, 3],
      ['wrong NATS_PASSWORD, json', ['check', '--format', 'json', '--state', state], wrongEnv, 3],
      ['wrong NATS_PASSWORD, html', ['check', '--format', 'html', '--state', state], wrongEnv, 3],
      // The page shows each vantage's URL: the user info in it must not come along.
      ['check --format html, password in the URL', ['check', '--format', 'html', '--servers', `nats://${c.system.user}:${c.system.password}@127.0.0.1:${port}`], {}, 0],
      ['wrong password in a URL, html', ['check', '--format', 'html', '--servers', `nats://${c.system.user}:${URL_PASSWORD}@127.0.0.1:${port}`], {}, 3],
      ['wrong --password', ['check', '--user', c.system.user, '--password', WRONG_PASSWORD, '--servers', c.urls.join(',')], {}, 3],
      ['refused --token', ['check', '--token', TOKEN, '--servers', c.urls.join(',')], {}, 3],
      // Token authentication that works, three ways, each printing a page; and refused, twice.
      ['html, accepted --token', ['check', '--format', 'html', '--servers', token.url, '--token', TOKEN, ...oneServer], {}, 0],
      ['html, accepted NATS_TOKEN', ['check', '--format', 'html', '--servers', token.url, ...oneServer], { NATS_TOKEN: TOKEN }, 0],
      ['html, accepted token in the URL', ['check', '--format', 'html', '--servers', `nats://${TOKEN}@127.0.0.1:${token.port}`, ...oneServer], {}, 0],
      ['html, refused --token', ['check', '--format', 'html', '--servers', token.url, '--token', WRONG_TOKEN, ...oneServer], {}, 3],
      ['html, refused token in the URL', ['check', '--format', 'html', '--servers', `nats://${WRONG_TOKEN}@127.0.0.1:${token.port}`, ...oneServer], {}, 3],
      ['wrong password in a URL', ['check', '--servers', `nats://${c.system.user}:${URL_PASSWORD}@127.0.0.1:${port}`], {}, 3],
      // gather only records: refused vantages are data in the sample, judged later.
      ['gather, wrong password', ['gather', '--out', join(dir, 'refused-sample.json')], wrongEnv, 0],
      ['rebalance, wrong password', ['rebalance', '--accounts', accounts], wrongEnv, 3],
      ['rebalance --execute, wrong password', ['rebalance', '--execute', '--accounts', accounts], wrongEnv, 3],
      ['a bad flag value beside a password', ['check', '--timeout', 'soon', '--password', WRONG_PASSWORD, '--user', 'sys'], env, 3],
    ];
    const results: [string, CliResult, number][] = [];
    for (const [what, args, runEnv, code] of runs) results.push([what, await runCli(args, { env: runEnv, timeoutMs: 30_000 }), code]);

    // Assess
    for (const [what, result, code] of results) {
      expect(result.code, `${what}: ${result.stdout}\n${result.stderr}`).toBe(code);
      expectClean(`${what} stdout`, result.stdout);
      expectClean(`${what} stderr`, result.stderr);
    }
    // The refusals say why without the secret; the fleet's refused cluster is UNKNOWN, named.
    expect(results.find(([w]) => w === 'wrong NATS_PASSWORD')![1].stderr).toMatch(/authori[sz]ation|refused/i);
    expect(results.find(([w]) => w === 'check --fleet')![1].stderr).toContain('UNKNOWN wrong');
    // The token runs judged the token server and printed its page; the refused ones said why.
    for (const [what, result] of results.filter(([w]) => w.startsWith('html, accepted'))) {
      expect(result.stdout.startsWith('<!DOCTYPE html>'), what).toBe(true);
      expect(result.stdout, what).toMatch(/<header class="verdict ok" data-status="ok">/);
      expect(result.stdout, what).toContain(`<code>${token.url}</code>`);
      expect(result.stdout, what).toContain('leak-token');
    }
    for (const [what, result] of results.filter(([w]) => w.startsWith('html, refused'))) expect(result.stderr, what).toMatch(/authorization refused/);
    // Sample files are gzip-compressed: a secret is looked for in what they hold.
    expectClean('the sample file', gunzipSync(readFileSync(sample)).toString('utf8'));
    expectClean('the refused sample file', gunzipSync(readFileSync(join(dir, 'refused-sample.json'))).toString('utf8'));
    expectClean('the state file', readFileSync(state, 'utf8'));
    expectClean('the sample state file', readFileSync(sampleState, 'utf8'));
  });

  it('the scheduled auditor, healthy and failing: DynamoDB items (state decompressed), SNS messages and logs', async () => {
    // Prepare
    const c = cluster();
    const queue = await stack.subscribe();
    const withAccounts = { user: c.system.user, password: c.system.password, accounts: { APP: { user: c.app.user, password: c.app.password } } };
    stack.secrets.put('leak/lambda-good', JSON.stringify(withAccounts));
    stack.secrets.put('leak/lambda-token', JSON.stringify({ token: TOKEN }));
    stack.secrets.put('leak/lambda-wrong', JSON.stringify({ user: c.system.user, password: WRONG_PASSWORD }));
    // A secret that is not valid JSON, its text a secret: the parse error must not quote it.
    stack.secrets.put('leak/lambda-garbled', `{"user": "sys", "password": "${URL_PASSWORD}"`);
    const configs = clusterConfigs([
      // A dead URL beside the live ones: a warning to announce, with the servers listed.
      { name: 'l-healthy', servers: [...c.urls, DEAD_URL], credentialsSecret: 'leak/lambda-good', expectServers: 3, autoRebalance: { enabled: true } },
      { name: 'l-token', servers: [...c.urls], credentialsSecret: 'leak/lambda-token', audit: { timeoutMs: 1_500 } },
      { name: 'l-wrong', servers: [...c.urls], credentialsSecret: 'leak/lambda-wrong', audit: { timeoutMs: 1_500 } },
      { name: 'l-garbled', servers: [...c.urls], credentialsSecret: 'leak/lambda-garbled' },
    ]);
    const handler = stack.handler(configs);
    const outcomes: unknown[] = [];

    // Act: two epochs each, so findings go from new to persistent.
    for (let minute = 0; minute < 2; minute++) {
      for (const { name } of configs) {
        const scheduledTime = new Date(Date.UTC(2026, 10, 25, 0, minute)).toISOString();
        outcomes.push(await handler({ cluster: name, scheduledTime }, lambdaContext()).catch((e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : e)));
      }
    }
    const messages: ReceivedMessage[] = await queue.drain();
    const items = await stack.dynamo.client.send(new ScanCommand({ TableName: stack.dynamo.tableName }));

    // Assess: the runs did what they should, so there was something to leak.
    expect(outcomes.slice(0, 4)).toMatchObject([
      { status: 'warning' },
      expect.stringContaining('AuditFailedError'),
      expect.stringContaining('AuditFailedError'),
      expect.stringContaining('AuditFailedError'),
    ]);
    expect(new Set(messages.map((m) => m.attributes.cluster))).toEqual(new Set(['l-healthy', 'l-token', 'l-wrong', 'l-garbled']));
    expect(items.Items?.length).toBeGreaterThan(0);
    expectClean('handler outcomes and errors', JSON.stringify(outcomes));
    expectClean('SNS messages', JSON.stringify(messages));
    // State items are stored gzip-compressed: search what they hold, not their bytes.
    const readable = items.Items?.map((item) => (item.stateGz?.B ? { ...item, stateGz: gunzipSync(item.stateGz.B).toString('utf8') } : item));
    expect(readable?.some((item) => typeof item.stateGz === 'string')).toBe(true);
    expectClean('DynamoDB items', JSON.stringify(readable));
    expectClean('handler logs', stack.logs.join('\n'));
    expectClean('handler epoch lines', JSON.stringify(stack.logs.filter((l) => l.includes('"epoch'))));
  });
});
