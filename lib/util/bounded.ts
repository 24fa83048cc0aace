/**
 * Bounded examples: a long list cut to a few and the rest counted, said one
 * way everywhere ("… and 12 more"), so a huge cluster never makes a huge
 * finding, message or error, and a reader learns the form once.
 */

/** The one ellipsis the auditor writes where it leaves something out. */
export const ELLIPSIS = '…';

/** Some of a list, and how many were left out. */
export interface Bounded<T> {
  readonly shown: readonly T[];
  readonly more: number;
}

/** The first `max` items, and how many more there were. */
export function firstOf<T>(items: readonly T[], max: number): Bounded<T> {
  if (items.length <= max) return { shown: items, more: 0 };
  return { shown: items.slice(0, max), more: items.length - max };
}

/** What fits in `max` lines when one of them must say how many more there are. */
export function withinLines<T>(items: readonly T[], max: number): Bounded<T> {
  if (items.length <= max) return { shown: items, more: 0 };
  return { shown: items.slice(0, max - 1), more: items.length - (max - 1) };
}

/** "… and 3 more", or with `what` for more than "more": "… and 3 more servers not drawn". */
export function andMore(more: number, what = 'more'): string {
  return `${ELLIPSIS} and ${more} ${what}`;
}

/** Up to `max` items joined by `separator`, then "… and N more" after one more separator. */
export function joinBounded(items: readonly string[], max: number, separator: string): string {
  const { shown, more } = firstOf(items, max);
  return shown.join(separator) + (more > 0 ? `${separator}${andMore(more)}` : '');
}
