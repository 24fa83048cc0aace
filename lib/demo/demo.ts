import { defaultRegistry } from '../checks/index.js';
import { DEFAULT_PERSISTENCE } from '../epoch/lifecycle.js';
import { runEpoch } from '../epoch/run-epoch.js';
import {
  concentrateLeaders,
  createReplicatedStreams,
  startLocalCluster,
  stepDownNamesLeader,
  type LocalCluster,
} from '../local-cluster/index.js';
import type { Report } from '../epoch/report.js';
import { gatherForEpoch } from '../epoch/gather-cluster.js';
import { MemoryStateStore } from '../state/state-store.js';
import { pollUntil } from '../util/poll.js';
import { sleep } from '../util/sleep.js';

export interface DemoOptions {
  readonly streams: number;
  readonly serverBinary: string;
  /** Called with every epoch's report, after a line saying what the demo just did. */
  readonly onEpoch: (step: string, report: Report) => void;
  readonly onProgress: (message: string) => void;
  readonly signal: AbortSignal;
}

/**
 * Epoch deadline in the demo: loopback servers answer in milliseconds, but a
 * vantage behind a cut route never hears every server and waits it out.
 */
const EPOCH_TIMEOUT_MS = 2_000;
/** Pause between epochs while isolated; with the deadline, an epoch every ~3 s catches the election (4-9 s) and the stale claim (~14 s). */
const PARTITION_EPOCH_PAUSE_MS = 1_000;
/** Upper bound on epochs per partition; the isolated leader gives up its claim after ~14 s, well inside it. */
const MAX_PARTITION_EPOCHS = 10;
/** Election timeout (4-9 s) with slack for a loaded machine. */
const ELECTION_WAIT_MS = 20_000;
/** Meta views change on Raft heartbeats (1 s); a fifth of one catches a short overlap. */
const VIEW_POLL_MS = 200;

/**
 * The scenario an operator watches: a healthy cluster, leaders piled onto one
 * server, a follower cut off (a disagreement that starts transient and
 * becomes persistent), the meta leader cut off (two leaders), each healed
 * (resolved). Returns the reports in order.
 */
export async function runDemo(options: DemoOptions): Promise<Report[]> {
  const reports: Report[] = [];
  options.onProgress('starting a 3-node JetStream cluster on loopback (routes through cuttable proxies)...');
  const cluster = await startLocalCluster({ size: 3, name: 'demo', serverBinary: options.serverBinary });
  try {
    const epoch = epochRunner(cluster);
    const step = async (label: string) => {
      const report = await epoch();
      reports.push(report);
      options.onEpoch(label, report);
      return report;
    };
    const app = await cluster.connect({ as: 'app', name: 'nats-audit-demo' });
    try {
      options.onProgress(`creating ${options.streams} R3 streams with one durable consumer each...`);
      const streams = await createReplicatedStreams(app, { count: options.streams, replicas: 3, consumersPerStream: 1 });
      if (options.signal.aborted) return reports;
      // Servers place new leaders without regard to balance, so a fresh
      // cluster is often already uneven; spread them first so the healthy
      // epoch really is healthy.
      const names = cluster.servers.map((s) => s.name);
      options.onProgress('spreading leaders evenly: a third of the streams (with their consumers) led by each server...');
      for (const [i, server] of names.entries()) {
        await concentrateLeaders(app, { onto: server, streams: streams.filter((_, k) => k % names.length === i), consumers: true });
      }
      if (options.signal.aborted) return reports;
      await step('Healthy cluster: one meta leader, stream and consumer leaders spread evenly');

      const metaLeader = await cluster.waitForMetaLeader();
      const hot = names.find((n) => n !== metaLeader)!;
      const preferred = await stepDownNamesLeader(app);
      options.onProgress(
        preferred
          ? `stepping down stream and consumer leaders onto ${hot} (these servers let each step-down name the next leader)...`
          : `stepping down stream and consumer leaders until ${hot} leads all of them (these servers cannot name the next leader: each step-down elects a random peer)...`,
      );
      const { stepDowns } = await concentrateLeaders(app, { onto: hot, streams, consumers: true, preferred });
      if (options.signal.aborted) return reports;
      await step(`Piled every stream and consumer leader onto ${hot} (${stepDowns} step-downs): a warning, since leaders pile up for a while after any restart`);
      await step(`Still piled onto ${hot} an epoch later: persistent, so critical`);
    } finally {
      await app.close();
    }

    // A cut-off follower cannot win an election: its disagreement starts as a
    // warning (maybe a passing election) and turns critical once it persists.
    const leaderBefore = await cluster.waitForMetaLeader();
    const follower = cluster.servers.map((s) => s.name).find((n) => n !== leaderBefore)!;
    await partitionPhase(cluster, follower, step, options, {
      announce: `cut every route of follower ${follower}; after its election timeout (4-9 s) it stops following ${leaderBefore}`,
      label: (i) => `Follower ${follower} isolated (epoch ${i} of the partition)`,
      done: (r) => disagreement(r)?.lifecycle.persistent === true,
    });
    if (options.signal.aborted) return reports;

    // A cut-off leader keeps claiming leadership for a while (~14 s on 2.9,
    // ~5 s on 2.15) after the majority elected a new one: two leaders,
    // critical at once.
    const leader = await cluster.waitForMetaLeader();
    await partitionPhase(cluster, leader, step, options, {
      announce: `cut every route of the meta leader ${leader}; the others elect a new leader within seconds while ${leader} still claims the role`,
      label: (i) => `Meta leader ${leader} isolated (epoch ${i} of the partition)`,
      done: (r) => disagreement(r)?.lifecycle.persistent === true && r.servers.find((s) => s.name === leader)?.metaLeader === null,
      // The two claims overlap briefly on newer servers (~2.5 s on 2.15):
      // the first epoch starts as soon as the others have elected.
      before: () => majorityElected(cluster, leader, options.signal),
    });
    return reports;
  } finally {
    options.onProgress('stopping the cluster and removing its files...');
    await cluster.dispose();
  }
}

interface PartitionPlan {
  readonly announce: string;
  readonly label: (epoch: number) => string;
  /** Stop sampling the partition once a report shows what the phase is meant to show. */
  readonly done: (report: Report) => boolean;
  /** Resolves when the first epoch should run; @default after the usual pause */
  readonly before?: () => Promise<void>;
}

async function partitionPhase(
  cluster: LocalCluster,
  server: string,
  step: (label: string) => Promise<Report>,
  options: DemoOptions,
  plan: PartitionPlan,
): Promise<void> {
  cluster.isolate(server);
  options.onProgress(plan.announce);
  for (let i = 1; i <= MAX_PARTITION_EPOCHS && !options.signal.aborted; i++) {
    if (i === 1 && plan.before) await plan.before();
    else await sleep(PARTITION_EPOCH_PAUSE_MS, options.signal);
    if (plan.done(await step(plan.label(i)))) break;
  }
  cluster.heal();
  options.onProgress('healed every route; waiting for all servers to agree on one meta leader...');
  await cluster.waitForMetaLeader({ timeoutMs: 30_000 });
  await step(`Partition around ${server} healed: the disagreement resolves`);
}

/**
 * Resolves once every server but the isolated `leader` names one new meta
 * leader, or after an election's worth of waiting (the epochs then show
 * whatever happened instead).
 */
async function majorityElected(cluster: LocalCluster, leader: string, signal: AbortSignal): Promise<void> {
  await pollUntil(
    async () => {
      if (signal.aborted) return true;
      const views = await cluster.metaLeaderViews();
      const others = Object.entries(views).filter(([name]) => name !== leader);
      const named = new Set(others.map(([, view]) => view));
      const [only] = named;
      return named.size === 1 && only !== undefined && only !== leader ? true : undefined;
    },
    { timeoutMs: ELECTION_WAIT_MS, intervalMs: VIEW_POLL_MS },
  );
}

function disagreement(report: Report) {
  return report.findings.find((f) => f.check === 'meta_leader_disagreement');
}

function epochRunner(cluster: LocalCluster): () => Promise<Report> {
  const registry = defaultRegistry();
  const store = new MemoryStateStore();
  const checks = { skip: new Set<string>(), thresholds: {} };
  return async () => {
    const { report } = await runEpoch({
      sample: () =>
        gatherForEpoch(
          { servers: cluster.urls, timeoutMs: EPOCH_TIMEOUT_MS },
          { auth: { user: cluster.system.user, password: cluster.system.password }, registry, checks },
        ),
      store,
      clusterKey: cluster.name,
      registry,
      checks,
      persistence: DEFAULT_PERSISTENCE,
    });
    return report;
  };
}
