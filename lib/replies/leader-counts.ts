/**
 * Which servers count their own leaders. JSZ `data.streams_leader` /
 * `consumers_leader` arrived in 2.11.11 and 2.12.1 (2.12.0 has none), sent
 * only with `raft: true` and left out when zero (`omitempty`): on a counting
 * version an absent count means "leads none", on an older one "unknown".
 */
export function countsOwnLeaders(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (major !== 2) return major > 2;
  if (minor === 11) return patch >= 11;
  if (minor === 12) return patch >= 1;
  return minor > 12;
}
