import type { ServerObservation } from '../observation/types.js';
import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { describeSides, metaGroups, partitionShape, type MetaGroup } from './meta-group.js';
import { natscli } from './natscli.js';
import { groupBy } from '../util/group-by.js';

interface ClaimedLeader {
  readonly name: string;
  /** Servers reporting this leader. */
  readonly backers: readonly string[];
  /** True when the named server itself answered and claims to lead. */
  readonly selfClaimed: boolean;
  /** Meta term the claimant reported via RAFTZ (2.10.26+). */
  readonly term?: number;
  /** Current replicas plus itself, as the claimant sees them; undefined when it did not report them. */
  readonly reachablePeers?: number;
  readonly stale: boolean;
  /** What decided `stale`: a lower term among claimants, or quorum evidence. */
  readonly staleBy: 'term' | 'quorum';
}

export const metaLeaderDisagreement = defineCheck({
  id: 'meta_leader_disagreement',
  title: 'Meta leader disagreement',
  description:
    'Servers of one JetStream meta group report different meta leaders, or some report none. Two servers each claiming leadership is critical at once; any other disagreement is a warning while it may be a passing election and critical once it persists.',
  reads: ['JSZ', 'RAFTZ'],
  severities: ['warning', 'critical'],
  thresholds: [],
  criticalAtFirstSight: {
    when: 'two or more servers each claim to be the meta leader',
    reason: 'both may accept JetStream API writes; an election hands leadership over without two claimants, so this is a split (a cut-off leader holds its claim ~14 s), never a passing election',
  },
  run({ observation }) {
    const findings: FindingDraft[] = [];
    for (const group of metaGroups(observation)) {
      const views = new Map(group.servers.map((s) => [s.name, s.meta?.leader || null] as const));
      if (new Set(views.values()).size <= 1) continue;
      findings.push(disagreement(group, views, partitionShape(observation, new Set(views.keys()))));
    }
    return findings;
  },
});

function disagreement(
  group: MetaGroup,
  views: ReadonlyMap<string, string | null>,
  shape: ReturnType<typeof partitionShape>,
): FindingDraft {
  const leaders = claimedLeaders(group, views);
  const claimants = leaders.filter((l) => l.selfClaimed).map((l) => l.name);
  const stale = leaders.filter((l) => l.stale).map((l) => l.name);
  const real = leaders.filter((l) => !l.stale).map((l) => l.name);
  const splitBrain = claimants.length >= 2;
  const staleBy = leaders.some((l) => l.stale && l.staleBy === 'term') ? 'term' : 'quorum';

  const viewText = describeViews(views);
  const summary = splitBrain
    ? `${claimants.length} servers each claim to be the JetStream meta leader (${claimants.join(', ')}): ${viewText}`
    : `Servers disagree on the JetStream meta leader: ${viewText}`;

  return {
    subject: `meta:${group.key}`,
    severity: splitBrain ? 'critical' : 'warning',
    escalateWhenPersistent: !splitBrain,
    summary,
    details: {
      metaGroup: group.key,
      size: group.size,
      quorum: group.quorum,
      views: Object.fromEntries(views),
      claimants,
      withoutLeader: [...views].filter(([, leader]) => leader === null).map(([server]) => server),
      leaders,
      leader: real.length === 1 ? real[0] : null,
      staleLeaders: stale,
      staleBy,
      partition: shape,
    },
    remediation: remediation(shape, stale, real, staleBy),
  };
}

/**
 * Which claimed leader is stale.
 *
 * Terms decide only among self-claimants whose terms differ: Raft never lets
 * a lower term win, so a claimant below the highest claimant term is stale.
 * A term of a server that does not claim leadership proves nothing (an
 * isolated server campaigns and its term keeps rising), and equal terms
 * prove nothing either: JSZ and RAFTZ are separate requests, so the new
 * leader's RAFTZ can predate its win (seen on 2.15.1). Those cases, and a
 * claimant without a term (2.9, early 2.10, a RAFTZ reply lost), fall back
 * to quorum evidence: a leader is stale when fewer than a quorum of servers
 * follow it or it cannot see a quorum of current replicas. An isolated old
 * leader keeps claiming leadership for up to ~14 s after the majority
 * elected a new one, and still believes its replicas current for a while.
 */
function claimedLeaders(group: MetaGroup, views: ReadonlyMap<string, string | null>): ClaimedLeader[] {
  const byName = new Map<string, ServerObservation>(group.servers.map((s) => [s.name, s]));
  const names = [...new Set([...views.values()].filter((v): v is string => v !== null))].sort();
  const claims = names.map((name) => {
    const backers = [...views].filter(([, leader]) => leader === name).map(([server]) => server);
    const claimant = byName.get(name);
    const selfClaimed = claimant !== undefined && views.get(name) === name;
    const reachablePeers =
      selfClaimed && claimant.meta?.replicas
        ? 1 + claimant.meta.replicas.filter((r) => r.current && !r.offline).length
        : undefined;
    const term = selfClaimed ? claimant.metaTerm : undefined;
    return { name, backers, selfClaimed, term, reachablePeers };
  });
  const claimantTerms = claims.filter((c) => c.selfClaimed).map((c) => c.term);
  const topTerm = decidingTerm(claimantTerms);
  const topIsUnique = claimantTerms.filter((t) => t === topTerm).length === 1;

  return claims.map((c) => {
    if (topTerm !== undefined && c.selfClaimed) {
      if (c.term! < topTerm) return { ...c, stale: true, staleBy: 'term' as const };
      // The one claimant of the highest term leads it, however few follow it yet.
      if (topIsUnique) return { ...c, stale: false, staleBy: 'term' as const };
    }
    const stale = c.backers.length < group.quorum || (c.reachablePeers !== undefined && c.reachablePeers < group.quorum);
    return { ...c, stale, staleBy: 'quorum' as const };
  });
}

/**
 * The highest claimant term when terms can decide: every claimant reported
 * one and they are not all equal. Undefined otherwise (quorum evidence decides).
 */
function decidingTerm(terms: readonly (number | undefined)[]): number | undefined {
  if (terms.length < 2 || terms.some((t) => t === undefined)) return undefined;
  const known = terms as readonly number[];
  const top = Math.max(...known);
  return known.every((t) => t === top) ? undefined : top;
}

function describeViews(views: ReadonlyMap<string, string | null>): string {
  return [...groupBy(views.keys(), (server) => views.get(server) ?? '')]
    .map(([leader, servers]) => `${servers.join(', ')} ${servers.length === 1 ? 'says' : 'say'} ${leader || 'none'}`)
    .join('; ');
}

function remediation(
  shape: ReturnType<typeof partitionShape>,
  stale: readonly string[],
  real: readonly string[],
  staleBy: 'term' | 'quorum',
): string[] {
  const steps: string[] = [];
  if (shape.partitioned) {
    steps.push(
      `Fix connectivity first: the servers are split into ${describeSides(shape)}. Check the cluster (route) port between the sides, firewalls and DNS; \`${natscli.routes}\` lists each server's routes. Do not step down leaders while the split lasts.`,
    );
  } else {
    steps.push('If this is a passing election it clears by the next epoch; if it persists, act as below.');
  }
  for (const name of stale) {
    steps.push(
      `${name} holds a stale view of leadership${real.length === 1 ? ` (${staleBy === 'term' ? `${real[0]} leads a newer term` : `the majority follows ${real[0]}`})` : ''}: once connectivity is restored, restart nats-server on ${name} if it still disagrees.`,
    );
  }
  steps.push(`Or step the meta leader down to force a fresh election: \`${natscli.metaStepDown}\`.`);
  steps.push(`Verify: \`${natscli.reportJetStream}\` shows the same meta leader on every server.`);
  return steps;
}
