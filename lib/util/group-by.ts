/**
 * Items by key: keys in the order they first appear, each list in the
 * items' order. An item whose key is undefined is left out, so a filter
 * and a grouping read as one step.
 */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K | undefined): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) appendTo(groups, key, item);
  }
  return groups;
}

/** Adds `value` to the list under `key`, starting the list when there is none. */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
