/** True when `version` (e.g. "2.11.3", "2.12.0-beta.1") is at least `major.minor.patch`. */
export function versionAtLeast(version: string, major: number, minor: number, patch = 0): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const [a, b, c] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (a !== major) return a > major;
  if (b !== minor) return b > minor;
  return c >= patch;
}

/** `placement.preferred` on stream and consumer step-downs arrived in 2.11.0. */
export function supportsPreferredStepDown(versions: readonly string[]): boolean {
  return versions.length > 0 && versions.every((v) => versionAtLeast(v, 2, 11, 0));
}
