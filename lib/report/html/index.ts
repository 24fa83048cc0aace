export { formatHtml, type HtmlReportInput } from './html-report.js';
export { escapeHtml } from './escape.js';
