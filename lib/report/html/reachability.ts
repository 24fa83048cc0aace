/**
 * The partition shape as tables: which vantage heard which server (a
 * request through a vantage is answered only by the servers its server can
 * reach), and which server holds a route to which. A healthy cluster is all
 * ticks; a partition shows as the block of blanks around the cut.
 */
import type { Observation } from '../../observation/types.js';
import { html, type SafeHtml } from './escape.js';
import { andMore } from '../../util/bounded.js';

export function vantageMatrix(observation: Pick<Observation, 'vantages' | 'servers' | 'knownServerNames'>): SafeHtml {
  const columns = serverColumns(observation);
  const answered = new Set(observation.servers.map((s) => s.name));
  const rows = observation.vantages.map((v) => {
    const heard = new Set(v.heard);
    const through = v.serverName ? html` <span class="via">(connected to ${v.serverName})</span>` : '';
    const cells = v.connected
      ? columns.map((server) =>
          heard.has(server)
            ? html`<td class="yes" data-server="${server}" title="${server} answered through this vantage">&#10003;</td>`
            : html`<td class="no" data-server="${server}" title="${server} did not answer through this vantage">&ndash;</td>`,
        )
      : html`<td class="failed" colspan="${columns.length}">${v.error ? `${v.error.kind}: ${v.error.message}` : 'not connected'}</td>`;
    return html`<tr data-vantage="${v.url}" data-via="${v.serverName ?? ''}"><th scope="row"><code>${v.url}</code>${through}</th>${cells}</tr>`;
  });
  return html`<table class="matrix vantages">
<caption>Who hears whom: which server answered through which vantage (&#10003; heard, &ndash; not heard)</caption>
<thead><tr><th scope="col">vantage</th>${columns.map((s) => html`<th scope="col" class="${answered.has(s) ? '' : 'silent'}">${s}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table>${omitted(observation, columns.length)}`;
}

/** Routes each answering server reports (ROUTEZ), as a server-by-server table. */
export function routeMatrix(observation: Pick<Observation, 'servers' | 'knownServerNames'>): SafeHtml {
  const columns = serverColumns(observation);
  const rows = observation.servers.slice(0, MAX_COLUMNS).map((s) => {
    const routes = s.routes === undefined ? undefined : new Set(s.routes);
    const cells = columns.map((peer) => {
      if (peer === s.name) return html`<td class="self">&middot;</td>`;
      if (routes === undefined) return html`<td class="unknown" title="ROUTEZ not answered">?</td>`;
      return routes.has(peer)
        ? html`<td class="yes" data-peer="${peer}" title="${s.name} has a route to ${peer}">&#10003;</td>`
        : html`<td class="no" data-peer="${peer}" title="${s.name} has no route to ${peer}">&ndash;</td>`;
    });
    return html`<tr data-server="${s.name}"><th scope="row">${s.name}</th>${cells}</tr>`;
  });
  return html`<table class="matrix routes">
<caption>Routes each server reports (row: the server asked; &#10003; route up, &ndash; none, ? not answered)</caption>
<thead><tr><th scope="col">server</th>${columns.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table>${omitted(observation, columns.length)}`;
}

/** Columns drawn at most; far above any real cluster, a bound on a hostile reply's name lists. */
const MAX_COLUMNS = 64;

/** Every server the epoch knows of, answering ones first, then in name order; capped. */
function serverColumns(observation: Pick<Observation, 'servers' | 'knownServerNames'>): string[] {
  const answered = observation.servers.map((s) => s.name);
  const silent = observation.knownServerNames.filter((n) => !answered.includes(n));
  return [...new Set([...answered.sort(), ...silent.sort()])].slice(0, MAX_COLUMNS);
}

function omitted(observation: Pick<Observation, 'servers' | 'knownServerNames'>, shown: number): SafeHtml | '' {
  const all = new Set([...observation.servers.map((s) => s.name), ...observation.knownServerNames]).size;
  return all > shown ? html`<p class="note">${andMore(all - shown, 'more servers not drawn')}.</p>` : '';
}
