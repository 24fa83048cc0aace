/**
 * Text hygiene for anything that leaves the auditor in a notification. Server
 * names, summaries and details partly come from the cluster, so they are
 * treated as untrusted: no control characters (SNS and SQS reject some, and
 * they garble mail), no lone surrogates (not valid UTF-8), no credentials in URLs.
 */

import { andMore, ELLIPSIS, withinLines } from '../util/bounded.js';

// C0 controls except tab and newline, DEL, C1 controls, and the non-characters SQS refuses.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// `scheme://user:pass@host`: upstream already strips these; kept out here too in case any slips through.
// Greedy up to the last `@` of the authority: an unescaped `@` in a password must not leave its tail behind.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/]*@/gi;

export { ELLIPSIS };

/** Safe multi-line text: tabs and newlines kept (CRLF folded), everything else unprintable replaced. */
export function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, ' ')
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(URL_USERINFO, '$1***@');
}

/** Safe single-line text: all whitespace runs collapsed to one space. */
export function oneLine(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` UTF-16 units (what every limit here counts; never fewer
 * characters than code points), ending in `ellipsis` when cut, never
 * splitting a surrogate pair.
 */
export function truncate(text: string, max: number, ellipsis = ELLIPSIS): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ellipsis.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ellipsis;
}

/** Printable ASCII only: accents dropped (`ö` → `o`), anything else becomes `?`. */
export function toAscii(text: string): string {
  return oneLine(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/gu, '?');
}

/**
 * {@link oneLine} then {@link truncate}, without first cleaning megabytes
 * that would be cut anyway: cleaning can only shorten text, so four times the
 * limit is plenty.
 */
export function clip(text: string, max: number, ellipsis = ELLIPSIS): string {
  return truncate(oneLine(text.length > max * 4 ? text.slice(0, max * 4) : text), max, ellipsis);
}

/** Lines beyond `max` replaced by one "... and N more" line. */
export function capLines(lines: readonly string[], max: number, indent = ''): string[] {
  const { shown, more } = withinLines(lines, max);
  return more === 0 ? [...shown] : [...shown, moreLine(more, indent)];
}

export function moreLine(more: number, indent = ''): string {
  return `${indent}${andMore(more)}`;
}

/** "3 h 5 min", "45 s": coarse, for people. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
