/**
 * Rebalancing in operator mode (decentralised JWT auth, memory resolver).
 * JSZ names each account by its JWT name tag and gives its public key as
 * `id`; the credentials for step-downs may be keyed by either. Real
 * servers, real JWTs, real `.creds` files: the version under test is
 * whatever NATS_SERVER_BIN (or the default) points at.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { describe, expect, it } from 'vitest';
import { concentrateLeaders, consumerLeaders, createReplicatedStreams, streamLeaders } from '../../lib/local-cluster/index.js';
import { observe } from '../../lib/observation/observe.js';
import { accountConnections } from '../../lib/rebalance/account-connections.js';
import { runRebalance } from '../../lib/rebalance/run-rebalance.js';
import { gather } from '../../lib/sampling/gather.js';
import { parseCredentialsSecret } from '../../lib/secrets/credentials-secret.js';
import { clusterConfigs, lambdaContext, startAuditStack } from '../support/audit-stack.js';
import { runCli, useTempDir } from '../support/cli.js';
import { useOperatorCluster, type OperatorAccount, type OperatorCluster } from '../support/operator-cluster.js';

const STREAMS_PER_ACCOUNT = 3;
const ACCOUNTS = ['APP', 'SHOP'] as const;
/** Streams and their one consumer each, in both accounts. */
const GROUPS = ACCOUNTS.length * STREAMS_PER_ACCOUNT * 2;
const DONE = ['moved', 'moved_elsewhere', 'already_moved'];

interface Outcome {
  readonly result: string;
  readonly detail?: string;
  readonly move: { readonly account: string; readonly accountId?: string };
}
interface RebalanceJson {
  readonly plan: { readonly clusters: readonly { readonly moves: readonly { readonly account: string; readonly accountId?: string }[] }[] };
  readonly missingCredentials: readonly { readonly account: string; readonly accountId?: string; readonly moves: number }[];
  readonly executions: readonly { readonly result: { readonly outcomes: readonly Outcome[] } }[];
}

describe('rebalance in operator mode (JWT accounts from a memory resolver)', () => {
  const cluster = useOperatorCluster(3, ACCOUNTS);
  const dir = useTempDir();
  const streams: Record<string, string[]> = {};

  const env = (c: OperatorCluster) => ({ NATS_URL: c.urls.join(','), NATS_CREDS: c.system.credsFile });

  async function withAccount<T>(account: OperatorAccount, body: (nc: NatsConnection) => Promise<T>): Promise<T> {
    const nc = await cluster().connect(account);
    try {
      return await body(nc);
    } finally {
      await nc.close();
    }
  }

  /** Every stream and consumer leader of both accounts, as the servers report them to each account. */
  async function leaderLoad(): Promise<Map<string, number>> {
    const load = new Map<string, number>();
    for (const name of ACCOUNTS) {
      const leaders = await withAccount(cluster().accounts[name]!, async (nc) => ({
        ...(await streamLeaders(nc, streams[name]!)),
        ...(await consumerLeaders(nc, streams[name]!)),
      }));
      for (const server of Object.values(leaders)) load.set(server, (load.get(server) ?? 0) + 1);
    }
    return load;
  }

  /** Creates the streams once, then piles every leader of both accounts onto n1. */
  async function pileOntoN1(): Promise<void> {
    for (const name of ACCOUNTS) {
      await withAccount(cluster().accounts[name]!, async (nc) => {
        streams[name] ??= await createReplicatedStreams(nc, { count: STREAMS_PER_ACCOUNT, replicas: 3, consumersPerStream: 1, prefix: name });
        await concentrateLeaders(nc, { onto: 'n1', streams: streams[name]!, consumers: true });
      });
    }
    expect(Object.fromEntries(await leaderLoad())).toEqual({ n1: GROUPS });
  }

  function accountsFile(file: string, accounts: Record<string, { creds: string }>): string {
    const path = join(dir, file);
    writeFileSync(path, JSON.stringify({ accounts }), { mode: 0o600 });
    return path;
  }

  it('names the account without credentials by name tag and public key, and moves the leaders of the account keyed by name', async () => {
    // Prepare: only APP has credentials, keyed by its name tag.
    const c = cluster();
    await pileOntoN1();
    const shop = c.accounts.SHOP!;
    const file = accountsFile('app-only.json', { APP: { creds: c.accounts.APP!.credsFile } });

    // Act
    const result = await runCli(['rebalance', '--execute', '--accounts', file, '--moves-per-second', '5', '--format', 'json'], {
      env: env(c),
      timeoutMs: 150_000,
    });

    // Assess: JSZ reported the name tag and the public key, and the plan carries both.
    expect(result.code, result.stderr).toBe(1);
    const output = JSON.parse(result.stdout) as RebalanceJson;
    const moves = output.plan.clusters.flatMap((cl) => cl.moves);
    expect(new Set(moves.map((m) => `${m.account}=${m.accountId}`))).toEqual(
      new Set(ACCOUNTS.filter((a) => moves.some((m) => m.account === a)).map((a) => `${a}=${c.accounts[a]!.publicKey}`)),
    );
    // 12 leaders on n1 need 8 moves; APP has only 6 groups, so SHOP has moves planned.
    const shopMoves = moves.filter((m) => m.account === 'SHOP').length;
    expect(shopMoves).toBeGreaterThanOrEqual(2);
    expect(output.missingCredentials).toEqual([{ account: 'SHOP', accountId: shop.publicKey, moves: shopMoves, detail: expect.any(String) }]);
    expect(result.stderr).toContain(`${shopMoves} planned moves skipped, no credentials for account SHOP (public key ${shop.publicKey}): add an entry keyed "SHOP" or "${shop.publicKey}"`);
    const outcomes = output.executions.flatMap((e) => e.result.outcomes);
    for (const o of outcomes) expect(o.result, JSON.stringify(o)).toBe(o.move.account === 'SHOP' ? 'no_credentials' : o.result);
    expect(outcomes.filter((o) => o.move.account === 'APP').every((o) => DONE.includes(o.result)), JSON.stringify(outcomes)).toBe(true);
    expect((await leaderLoad()).get('n1')).toBe(GROUPS - moves.length + shopMoves);
    // No secret of any account reaches the output.
    for (const a of [c.system, ...Object.values(c.accounts)]) {
      for (const secretLine of a.credsText.split('\n').filter((l) => /^(eyJ|SU)/.test(l))) {
        expect(result.stdout + result.stderr).not.toContain(secretLine);
      }
    }
  }, 300_000);

  it('--execute spreads the leaders of both accounts, one keyed by name tag and one by public key', async () => {
    // Prepare
    const c = cluster();
    await pileOntoN1();
    const file = accountsFile('both.json', {
      APP: { creds: c.accounts.APP!.credsFile },
      [c.accounts.SHOP!.publicKey]: { creds: c.accounts.SHOP!.credsFile },
    });

    // Act
    const result = await runCli(['rebalance', '--execute', '--accounts', file, '--moves-per-second', '5', '--format', 'json'], {
      env: env(c),
      timeoutMs: 150_000,
    });

    // Assess: every move done, and the servers themselves report the leaders spread evenly.
    expect(result.code, `${result.stderr}\n${result.stdout.slice(0, 4000)}`).toBe(0);
    const output = JSON.parse(result.stdout) as RebalanceJson;
    expect(output.missingCredentials).toEqual([]);
    const outcomes = output.executions.flatMap((e) => e.result.outcomes);
    expect(outcomes.length).toBe((2 * GROUPS) / 3);
    expect(outcomes.every((o) => DONE.includes(o.result)), JSON.stringify(outcomes)).toBe(true);
    expect(Object.fromEntries(await leaderLoad())).toEqual({ n1: GROUPS / 3, n2: GROUPS / 3, n3: GROUPS / 3 });
  }, 300_000);

  it('the scheduled auditor, creds in its secret, moves the leaders of the account it has and names the one it lacks', async () => {
    // Prepare: the real handler with dynalite, fauxqs and the Secrets Manager stand-in; the secret
    // holds the system user's creds and APP keyed by public key; SHOP is missing.
    const c = cluster();
    await pileOntoN1();
    const stack = await startAuditStack();
    try {
      const app = c.accounts.APP!;
      const shop = c.accounts.SHOP!;
      stack.secrets.put('nats-audit/operator', JSON.stringify({ creds: c.system.credsText, accounts: { [app.publicKey]: { creds: app.credsText } } }));
      const handler = stack.handler(
        clusterConfigs([
          { name: 'op', servers: [...c.urls], credentialsSecret: 'nats-audit/operator', expectServers: 3, audit: { timeoutMs: 3_000 }, autoRebalance: { enabled: true, maxMovesPerEpoch: 50 } },
        ]),
      );
      const queue = await stack.subscribe({ cluster: ['op'], transition: ['remediation'] });

      // Act: the finding is new in the first epoch and persistent, so acted on, in the second.
      await handler({ cluster: 'op', scheduledTime: '2026-11-24T01:00:00.000Z' }, lambdaContext(120_000));
      await handler({ cluster: 'op', scheduledTime: '2026-11-24T01:01:00.000Z' }, lambdaContext(120_000));

      // Assess: APP's leaders left n1; SHOP's planned moves are named with its public key, in the log and the notice.
      const [notice, ...more] = await queue.drain();
      expect(more).toEqual([]);
      const email = (JSON.parse(notice!.body) as { email: string }).email;
      const appMoves = email.match(/^ {2}(moved|moved_elsewhere|already_moved): (stream|consumer) APP\//gm) ?? [];
      const shopMoves = email.match(/^ {2}no_credentials: (stream|consumer) SHOP\//gm) ?? [];
      expect(appMoves.length + shopMoves.length, email).toBe((2 * GROUPS) / 3);
      expect(shopMoves.length).toBeGreaterThanOrEqual(2);
      expect(email).toContain(`no credentials for account SHOP (public key ${shop.publicKey}): add an entry keyed "SHOP" or "${shop.publicKey}"`);
      const warning = stack.logs.find((l) => l.includes('accounts without credentials in the secret'));
      expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', accounts: [{ account: 'SHOP', accountId: shop.publicKey, moves: shopMoves.length }] });
      expect((await leaderLoad()).get('n1')).toBe(GROUPS - appMoves.length);
      for (const a of [c.system, app, shop]) {
        for (const secretLine of a.credsText.split('\n').filter((l) => /^(eyJ|SU)/.test(l))) {
          expect(email + stack.logs.join('\n')).not.toContain(secretLine);
        }
      }
    } finally {
      await stack.close();
    }
  }, 300_000);

  it('auto-rebalance\'s path: account users from the credentials secret, keyed by public key, move the leaders', async () => {
    // Prepare: the secret as the Lambda reads it; the system user and both accounts by public key, creds inline.
    const c = cluster();
    await pileOntoN1();
    const secret = parseCredentialsSecret(
      'nats-audit/operator',
      JSON.stringify({
        creds: c.system.credsText,
        accounts: Object.fromEntries(ACCOUNTS.map((a) => [c.accounts[a]!.publicKey, { creds: c.accounts[a]!.credsText }])),
      }),
    );
    const observeNow = async () =>
      observe(await gather({ servers: c.urls, auth: secret.auth, tls: secret.tls, timeoutMs: 5_000, jszDetail: 'per-server', connectionName: 'operator-test' }));
    const connections = accountConnections({ servers: c.urls, tls: secret.tls, timeoutMs: 5_000 }, secret.accounts, 'operator-test');

    // Act: what autoRebalance runs once its trigger fired (lib/serverless/auto-rebalance.ts).
    const run = await runRebalance(
      await observeNow(),
      { observe: observeNow, connectAccount: connections.get, hasCredentials: connections.has },
      { movesPerSecond: 5, maxMoves: 50 },
    ).finally(() => connections.closeAll());

    // Assess
    expect(run.refused).toBeUndefined();
    expect(run.missingCredentials).toEqual([]);
    const outcomes = run.executions.flatMap((e) => e.result.outcomes);
    expect(outcomes.length).toBe((2 * GROUPS) / 3);
    expect(outcomes.every((o) => DONE.includes(o.result)), JSON.stringify(outcomes)).toBe(true);
    expect(run.complete).toBe(true);
    expect(Object.fromEntries(await leaderLoad())).toEqual({ n1: GROUPS / 3, n2: GROUPS / 3, n3: GROUPS / 3 });
  }, 300_000);
});
