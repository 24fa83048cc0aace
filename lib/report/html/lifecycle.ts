/**
 * What the state store knows of this cluster's past: the open findings'
 * lifecycle, what resolved this epoch, and the recent epochs' meta leaders
 * (the history the flapping check reads).
 */
import type { EpochSummary } from '../../checks/types.js';
import type { Report } from '../../epoch/report.js';
import { html, type SafeHtml } from './escape.js';
import { andMore } from '../../util/bounded.js';

/** Epochs drawn in the history table, newest first; the store keeps up to 100. */
const MAX_HISTORY_ROWS = 30;

export function lifecycleSection(report: Pick<Report, 'findings' | 'resolved'>, history: readonly EpochSummary[]): SafeHtml {
  return html`${openTable(report.findings)}${resolvedTable(report.resolved)}${historyTable(history)}`;
}

function openTable(findings: Report['findings']): SafeHtml {
  if (findings.length === 0) return html`<p>No finding is open.</p>`;
  const rows = findings.map(
    (f) => html`<tr data-check="${f.check}"><td><span class="badge ${f.severity}">${f.severity}</span></td><td><code>${f.check}</code></td><td>${f.subject}</td>
<td>${f.lifecycle.firstSeen}</td><td class="num">${f.lifecycle.epochs}</td><td>${f.lifecycle.persistent ? 'yes' : 'not yet'}</td><td><code>${f.lifecycle.transition}</code></td></tr>`,
  );
  return html`<table class="lifecycle open"><caption>Open findings</caption>
<thead><tr><th>severity</th><th>check</th><th>subject</th><th>first seen</th><th>epochs</th><th>persistent</th><th>transition</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function resolvedTable(resolved: Report['resolved']): SafeHtml | '' {
  if (resolved.length === 0) return '';
  const rows = resolved.map(
    (r) => html`<tr data-check="${r.check}"><td><span class="badge ${r.peakSeverity}">${r.peakSeverity}</span></td><td><code>${r.check}</code></td><td>${r.subject}</td>
<td>${r.firstSeen}</td><td>${r.resolvedAt}</td><td class="num">${r.epochs}</td><td>${r.summary}</td></tr>`,
  );
  return html`<table class="lifecycle resolved"><caption>Resolved this epoch</caption>
<thead><tr><th>worst severity</th><th>check</th><th>subject</th><th>first seen</th><th>resolved</th><th>epochs</th><th>last summary</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function historyTable(history: readonly EpochSummary[]): SafeHtml | '' {
  if (history.length === 0) return '';
  const groups = [...new Set(history.flatMap((e) => Object.keys(e.metaLeaders)))].sort();
  const shown = history.slice(-MAX_HISTORY_ROWS).reverse();
  const rows = shown.map(
    (e) => html`<tr data-epoch="${e.id}"><td class="num">${e.id}</td><td>${new Date(e.startedAt).toISOString()}</td>${groups.map((g) => {
      const leader = e.metaLeaders[g];
      return leader ? html`<td>${leader}</td>` : html`<td class="none">${leader === null ? 'none' : ''}</td>`;
    })}</tr>`,
  );
  const more = history.length > shown.length ? html`<p class="note">${andMore(history.length - shown.length, 'earlier epochs')}.</p>` : '';
  return html`<table class="lifecycle history"><caption>Epochs remembered: the meta leader most servers named</caption>
<thead><tr><th>epoch</th><th>started</th>${groups.map((g) => html`<th>meta leader (${g})</th>`)}</tr></thead>
<tbody>${rows}</tbody></table>${more}`;
}
