/**
 * Leaders per server as SVG bars, one panel per metric the uneven check
 * judges (streams, consumers, both), with the cluster's average and the
 * hot line (ratio x average) drawn, so "compare leader counts across
 * servers" is something to see rather than read.
 */
import { LEADER_METRICS, hotEntries, type LeaderBalanceThresholds, type LeaderCounts, type LeaderMetric } from '../../domain/leader-balance.js';
import type { ClusterLeaderCounts } from '../../checks/cluster-leader-counts.js';
import { html, type SafeHtml } from './escape.js';

const PANEL_TITLES: Readonly<Record<LeaderMetric, string>> = {
  streams: 'Stream leaders',
  consumers: 'Consumer leaders',
  total: 'All Raft groups led',
};

/** Layout in SVG user units; the panel scales with the page. */
const BAR_WIDTH = 44;
const BAR_GAP = 18;
const PLOT_HEIGHT = 150;
const TOP = 28;
const BOTTOM = 44;
const LEFT = 12;
/** Room right of the bars for the lines' labels. */
const RIGHT = 118;
/** Longest server name written under a bar; the full name is in the bar's tooltip. */
const MAX_LABEL_CHARS = 9;

export function leaderCharts(counted: ClusterLeaderCounts, thresholds: LeaderBalanceThresholds): SafeHtml {
  const { averages, hot } = hotEntries(counted.counts, thresholds);
  const isHot = (server: string, metric: LeaderMetric) => hot.some((h) => h.server === server && h.metric === metric);
  const source =
    counted.source === 'server_counts'
      ? 'counted by the servers themselves (R1 assets included)'
      : 'counted from the stream detail (replicated groups only)';
  return html`<figure class="leaders" data-cluster="${counted.cluster}">
<figcaption>Cluster <b>${counted.cluster || '(unnamed)'}</b>: leaders per server, ${source}. A server is hot above
${fixed(thresholds.ratio)}&times; the average and at least ${thresholds.minExcess} above it.</figcaption>
<div class="panels">${LEADER_METRICS.map((metric) => panel(metric, counted.counts, averages[metric], thresholds, isHot))}</div>
</figure>`;
}

function panel(
  metric: LeaderMetric,
  counts: ReadonlyMap<string, LeaderCounts>,
  average: number,
  thresholds: LeaderBalanceThresholds,
  isHot: (server: string, metric: LeaderMetric) => boolean,
): SafeHtml {
  const entries = [...counts].map(([server, c]) => ({ server, count: c[metric] }));
  const line = thresholds.ratio * average;
  const top = Math.max(1, line, ...entries.map((e) => e.count)) * 1.12;
  const y = (value: number) => TOP + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT;
  const width = LEFT + entries.length * (BAR_WIDTH + BAR_GAP) + RIGHT;
  const height = TOP + PLOT_HEIGHT + BOTTOM;
  const plotRight = LEFT + entries.length * (BAR_WIDTH + BAR_GAP);
  const bars = entries.map((e, i) => {
    const x = LEFT + BAR_GAP / 2 + i * (BAR_WIDTH + BAR_GAP);
    const hot = isHot(e.server, metric);
    const label = e.server.length > MAX_LABEL_CHARS ? `${e.server.slice(0, MAX_LABEL_CHARS - 1)}…` : e.server;
    return html`<g class="bar${hot ? ' hot' : ''}" data-server="${e.server}" data-count="${e.count}"><title>${e.server}: ${e.count} ${metric === 'total' ? 'Raft groups' : metric} led${hot ? ' (hot)' : ''}</title>
<rect x="${x}" y="${y(e.count)}" width="${BAR_WIDTH}" height="${y(0) - y(e.count)}"></rect>
<text class="value" x="${x + BAR_WIDTH / 2}" y="${y(e.count) - 5}">${e.count}</text>
<text class="name" x="${x + BAR_WIDTH / 2}" y="${TOP + PLOT_HEIGHT + 16}">${label}</text></g>`;
  });
  const lines =
    average > 0
      ? html`<g class="average" data-average="${fixed(average)}"><line x1="${LEFT}" x2="${plotRight}" y1="${y(average)}" y2="${y(average)}"></line>
<text x="${plotRight + 4}" y="${y(average) + 4}">average ${fixed(average)}</text></g>
<g class="threshold" data-threshold="${fixed(line)}" data-ratio="${fixed(thresholds.ratio)}"><line x1="${LEFT}" x2="${plotRight}" y1="${y(line)}" y2="${y(line)}"></line>
<text x="${plotRight + 4}" y="${y(line) + 4}">${fixed(thresholds.ratio)}&times; avg = ${fixed(line)}</text></g>`
      : html`<text class="none" x="${LEFT}" y="${TOP + PLOT_HEIGHT / 2}">no ${metric === 'total' ? 'Raft groups' : metric} led</text>`;
  return html`<svg class="chart" data-metric="${metric}" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<text class="title" x="${LEFT}" y="16">${PANEL_TITLES[metric]}</text>
<line class="axis" x1="${LEFT}" x2="${plotRight}" y1="${y(0)}" y2="${y(0)}"></line>
${bars}${lines}</svg>`;
}

/** One decimal, the way the findings word averages ("3.0x the average of 6.0"). */
function fixed(n: number): string {
  return n.toFixed(1);
}
