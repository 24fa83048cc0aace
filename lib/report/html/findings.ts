/**
 * Each finding with its severity, summary, lifecycle and the remediation
 * steps as the text report numbers them; a step that is a command is set
 * as code to copy, and so is a `nats ...` command quoted in prose. The
 * text stays exactly as written, backticks included: a name from a server
 * may hold a backtick too, and must still read as given.
 */
import type { ReportFinding } from '../../epoch/report.js';
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

/** A command quoted in prose: `nats ...` or `nats-audit ...` between backticks. */
const QUOTED_COMMAND = /(?<=`)(nats(?:-audit)? [^`]*)(?=`)/;

function step_(step: string): HtmlValue {
  if (/^nats(-audit)? /.test(step)) return html`<code class="command">${step}</code>`;
  // Split keeps the captured command at odd positions; the backticks stay as
  // text, so what reads on the page is exactly the step as written.
  return step.split(QUOTED_COMMAND).map((piece, i) => (i % 2 === 1 ? html`<code class="command">${piece}</code>` : piece));
}
