import { jszMetaMembers } from './jsz-meta-members.js';

/**
 * How many servers a PING should hear: `--expect-servers` when given (the
 * operator knows best, e.g. when a removed server lingers in the meta
 * group), else the most meta group members any JSZ reply this epoch reported
 * (`cluster_size`, or the members the meta leader lists when it lists more).
 */
export class ExpectedServers {
  #members: number | undefined;
  readonly #override: number | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(override: number | undefined) {
    this.#override = override;
  }

  readonly get = (): number | undefined => this.#override ?? this.#members;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  offerJszBody(body: string | undefined): void {
    const size = body === undefined ? undefined : jszMetaMembers(body);
    if (size === undefined || size <= (this.#members ?? 0)) return;
    this.#members = size;
    if (this.#override !== undefined) return;
    for (const listener of [...this.#listeners]) listener();
  }
}
