/**
 * `check --format html`: one epoch as a single self-contained page to attach
 * to an incident ticket next to the sample file. Inline CSS and SVG only:
 * no script, font, image or stylesheet is fetched, and a Content-Security-
 * Policy forbids the page from loading anything should a name ever slip
 * through escaping. Built from the report (what the other formats print),
 * the epoch's observation (leaders, who heard whom) and the state store's
 * history; never from credentials, which none of them holds.
 */
import type { LeaderBalanceThresholds } from '../../domain/leader-balance.js';
import type { EpochSummary } from '../../checks/types.js';
import { clusterLeaderCounts } from '../../checks/cluster-leader-counts.js';
import type { Observation } from '../../observation/types.js';
import type { Report } from '../../epoch/report.js';
import { html, raw, type SafeHtml } from './escape.js';
import { findingsSection } from './findings.js';
import { leaderCharts } from './leader-chart.js';
import { lifecycleSection } from './lifecycle.js';
import { routeMatrix, vantageMatrix } from './reachability.js';
import { checkNotes } from '../check-notes.js';
import { STYLES } from './styles.js';

export interface HtmlReportInput {
  readonly report: Report;
  /** The epoch's observation: leaders per server and who heard whom are drawn from it. */
  readonly observation: Observation;
  /** Epoch summaries the state store keeps, oldest first, this epoch's included. */
  readonly history: readonly EpochSummary[];
  /** What makes a server hot, as the uneven check ran with it: where the line is drawn. */
  readonly leaderBalance: LeaderBalanceThresholds;
}

/** Nothing may be loaded: not even an image or a font, whatever the markup says. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'";

export function formatHtml(input: HtmlReportInput): string {
  const { report, observation } = input;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="nats-audit">
<title>${report.status.toUpperCase()} ${report.cluster}: nats-audit epoch ${report.epoch.id}</title>
<style>${raw(STYLES)}</style>
</head>
<body>
<main>
${verdict(report)}
${notices(report)}
<section id="findings"><h2>Findings</h2>${findingsSection(report.findings)}</section>
<section id="leaders"><h2>Leaders per server</h2>${leaders(input)}</section>
<section id="partition"><h2>Partition shape</h2>${vantageMatrix(observation)}${routeMatrix(observation)}${metaViews(report)}</section>
<section id="lifecycle"><h2>Lifecycle</h2>${lifecycleSection(report, input.history)}</section>
<footer>Report type <code>${report.type}</code>; epoch started ${report.epoch.startedAt}, took ${report.epoch.durationMs} ms. Made by nats-audit; self-contained, nothing loaded from the network.</footer>
</main>
</body>
</html>
`;
  return page.text;
}

function verdict(report: Report): SafeHtml {
  const { critical, warning, resolved } = report.counts;
  return html`<header class="verdict ${report.status}" data-status="${report.status}">
<h1>${report.status.toUpperCase()} &mdash; ${report.cluster}</h1>
<p>Epoch ${report.epoch.id} at ${report.epoch.startedAt}: <span data-count="critical">${critical} critical</span>, <span data-count="warning">${warning} warning</span>${resolved > 0 ? `, ${resolved} resolved` : ''}; ${report.servers.length} servers answered.</p>
</header>`;
}

function notices(report: Report): SafeHtml | '' {
  const lines = [...report.notices, ...checkNotes(report)];
  if (lines.length === 0) return '';
  return html`<section id="notices"><h2>Notes</h2><ul>${lines.map((l) => html`<li>${l}</li>`)}</ul></section>`;
}

function leaders(input: HtmlReportInput): SafeHtml {
  const clusters = clusterLeaderCounts(input.observation);
  if (clusters.length === 0) return html`<p class="note">No cluster of two or more JetStream servers answered: nothing to compare.</p>`;
  return html`${clusters.map((c) => leaderCharts(c, input.leaderBalance))}`;
}

/** Which meta leader each server names: in a partition, the sides disagree. */
function metaViews(report: Report): SafeHtml {
  const rows = report.servers.map(
    (s) => html`<tr data-server="${s.name}"><th scope="row">${s.name}</th><td>${s.cluster ?? ''}</td><td>${s.version}</td>
<td class="${s.metaLeader ? '' : 'none'}">${s.metaLeader ?? 'none'}</td><td class="num">${s.metaTerm ?? ''}</td><td class="num">${s.heardVia}</td><td class="num">${s.latencyMs} ms</td></tr>`,
  );
  return html`<table class="servers"><caption>Servers that answered, and the meta leader each names</caption>
<thead><tr><th>server</th><th>cluster</th><th>version</th><th>meta leader</th><th>term</th><th>heard via</th><th>latency</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
