import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialsSecretError, parseCredentialsSecret, type ClusterCredentials } from './credentials-secret.js';

export interface SecretReaderOptions {
  readonly client: SecretsManagerClient;
  /**
   * How long a warm Lambda reuses a secret before reading it again, so a
   * rotation is picked up within this time without a read every epoch.
   * @default 300000 (5 minutes)
   */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Reads and caches cluster credentials; a cached value is dropped on demand
 * (e.g. after an auth failure). The secret's text is what is cached, so the
 * clusters sharing one secret cost one read per five minutes together.
 */
export class SecretReader {
  readonly #client: SecretsManagerClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { secretString: string | undefined; fetchedAt: number }>();

  constructor(options: SecretReaderOptions) {
    this.#client = options.client;
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#now = options.now ?? Date.now;
  }

  /** The credentials of `cluster` (needed when the secret is shared: `{"clusters": {...}}`). */
  async read(secretId: string, cluster?: string): Promise<ClusterCredentials> {
    const cached = this.#cache.get(secretId);
    if (cached && this.#now() - cached.fetchedAt < this.#ttlMs) return parseCredentialsSecret(secretId, cached.secretString, cluster);
    let secretString: string | undefined;
    try {
      const out = await this.#client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = out.SecretString;
    } catch (error) {
      // The SDK's message can quote the request; keep only the error's name.
      const name = (error as { name?: string }).name ?? 'error';
      throw new CredentialsSecretError(secretId, `cannot be read (${name})`, { cause: error });
    }
    const credentials = parseCredentialsSecret(secretId, secretString, cluster);
    this.#cache.set(secretId, { secretString, fetchedAt: this.#now() });
    return credentials;
  }

  forget(secretId: string): void {
    this.#cache.delete(secretId);
  }
}
