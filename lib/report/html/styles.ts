/**
 * The page's only style sheet, inlined: system fonts, no url(), nothing
 * fetched, so the file reads the same attached to a ticket and opened
 * offline. Prints in black and white legibly (bars keep their outline).
 */
export const STYLES = `
:root { color-scheme: light; --crit: #c62828; --warn: #ef6c00; --ok: #2e7d32; --muted: #5f6368; --line: #d7dbe0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 48px; }
header.verdict { padding: 16px 20px; border-radius: 8px; color: #fff; margin-bottom: 20px; }
header.verdict.ok { background: var(--ok); } header.verdict.warning { background: var(--warn); }
header.verdict.critical { background: var(--crit); } header.verdict.unknown { background: var(--muted); }
header.verdict h1 { margin: 0 0 4px; font-size: 22px; overflow-wrap: anywhere; }
header.verdict p { margin: 0; opacity: .95; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin-bottom: 18px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 0 0 6px; overflow-wrap: anywhere; }
h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; overflow-wrap: anywhere; }
code.command { background: #f0f2f4; border: 1px solid var(--line); border-radius: 4px; padding: 1px 5px; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; background: var(--muted); }
.badge.critical { background: var(--crit); } .badge.warning { background: var(--warn); }
article.finding { border-left: 5px solid var(--warn); padding: 6px 0 6px 14px; margin: 12px 0; }
article.finding.critical { border-left-color: var(--crit); }
article.finding .summary { margin: 4px 0; overflow-wrap: anywhere; }
article.finding .life { margin: 2px 0; color: var(--muted); font-size: 13px; }
ol.remediation { margin: 4px 0; padding-left: 22px; } ol.remediation li { margin: 3px 0; overflow-wrap: anywhere; }
.subject { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding-bottom: 6px; white-space: nowrap; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #f0f2f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.matrix td { text-align: center; min-width: 44px; font-weight: 600; }
table.matrix td.yes { background: #e6f4ea; color: var(--ok); }
table.matrix td.no { background: #fce8e6; color: var(--crit); }
table.matrix td.failed { background: #fce8e6; color: var(--crit); text-align: left; font-weight: normal; }
table.matrix td.self, table.matrix td.unknown { color: var(--muted); background: #f6f8fa; }
table.matrix th.silent { color: var(--crit); }
.via { color: var(--muted); font-size: 12px; }
td.none { color: var(--crit); }
figure.leaders { margin: 0 0 12px; }
figure.leaders figcaption { margin-bottom: 6px; overflow-wrap: anywhere; }
.panels { display: flex; flex-wrap: wrap; gap: 14px; }
svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #1f2328; }
svg.chart text.title { font-weight: 600; font-size: 12px; }
svg.chart text.value, svg.chart text.name { text-anchor: middle; }
svg.chart text.value { font-weight: 600; }
svg.chart .bar rect { fill: #5b8def; stroke: #2f5fc4; }
svg.chart .bar.hot rect { fill: #e57373; stroke: var(--crit); }
svg.chart line.axis { stroke: #8b949e; }
svg.chart .average line { stroke: var(--muted); stroke-dasharray: 2 3; }
svg.chart .threshold line { stroke: var(--crit); stroke-width: 1.5; stroke-dasharray: 6 4; }
svg.chart .threshold text { fill: var(--crit); font-weight: 600; }
svg.chart text.none { fill: var(--muted); }
.note, .ok-note { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }
@media print { body { background: #fff; } section { break-inside: avoid; } }
`;
