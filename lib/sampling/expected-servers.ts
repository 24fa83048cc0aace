/** `meta_cluster` precedes `account_details` in JSZ, so its `cluster_size` is near the top. */
const CLUSTER_SIZE_SCAN_CHARS = 64 * 1024;
const CLUSTER_SIZE = /"cluster_size"\s*:\s*(\d+)/;

/**
 * How many servers a PING should hear: `--expect-servers` when given (the
 * operator knows best, e.g. when a removed server lingers in the meta
 * group), else the largest `cluster_size` any JSZ reply this epoch reported.
 */
export class ExpectedServers {
  #clusterSize: number | undefined;
  readonly #override: number | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(override: number | undefined) {
    this.#override = override;
  }

  readonly get = (): number | undefined => this.#override ?? this.#clusterSize;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  offerJszBody(body: string | undefined): void {
    const m = body === undefined ? null : CLUSTER_SIZE.exec(body.slice(0, CLUSTER_SIZE_SCAN_CHARS));
    const size = m?.[1] === undefined ? undefined : Number(m[1]);
    if (size === undefined || size < 1 || size <= (this.#clusterSize ?? 0)) return;
    this.#clusterSize = size;
    if (this.#override !== undefined) return;
    for (const listener of [...this.#listeners]) listener();
  }
}
