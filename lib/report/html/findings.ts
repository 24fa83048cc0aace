/**
 * Each finding with its severity, summary, lifecycle and the remediation
 * steps as the text report numbers them; a step that is a command is set
 * as code to copy. Prose keeps its backticks as written: a name from a
 * server may hold one too, so they cannot be told apart from markup.
 */
import type { ReportFinding } from '../report.js';
import { html, type HtmlValue, type SafeHtml } from './escape.js';

export function findingsSection(findings: readonly ReportFinding[]): SafeHtml {
  if (findings.length === 0) return html`<p class="ok-note">No findings this epoch.</p>`;
  return html`${findings.map(finding)}`;
}

function finding(f: ReportFinding): SafeHtml {
  const life = f.lifecycle;
  const age = life.state === 'new' ? 'new this epoch' : `ongoing for ${life.epochs} epochs since ${life.firstSeen}`;
  return html`<article class="finding ${f.severity}" data-check="${f.check}" data-subject="${f.subject}">
<h3><span class="badge ${f.severity}">${f.severity.toUpperCase()}</span> <code>${f.check}</code> <span class="subject">${f.subject}</span></h3>
<p class="summary">${f.summary}</p>
<p class="life">${age}; ${life.persistent ? 'persistent' : 'transient so far'}; transition <code>${life.transition}</code>${life.known ? '' : ' (state unreadable: persistence unknown)'}</p>
<h4>Remediation</h4>
<ol class="remediation">${f.remediation.map((step) => html`<li>${step_(step)}</li>`)}</ol>
</article>`;
}

function step_(step: string): HtmlValue {
  return /^nats(-audit)? /.test(step) ? html`<code class="command">${step}</code>` : step;
}
