import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A loopback server speaking the Secrets Manager JSON protocol for the one
 * call the auditor makes (GetSecretValue), so the real SDK client, its
 * serialisation and its error mapping are exercised. No emulator for
 * Secrets Manager runs on Node 20 without Docker; this covers what we use.
 */
export interface SecretsManagerServer {
  readonly endpoint: string;
  readonly client: SecretsManagerClient;
  /** Requests served per secret id, to prove caching. */
  readonly reads: Map<string, number>;
  put(secretId: string, secretString: string): void;
  remove(secretId: string): void;
  close(): Promise<void>;
}

export async function startSecretsManager(): Promise<SecretsManagerServer> {
  const secrets = new Map<string, string>();
  const reads = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    void body(req).then((text) => {
      const target = req.headers['x-amz-target'];
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      if (target !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'InvalidRequestException', message: `unsupported ${String(target)}` });
        return;
      }
      const { SecretId } = JSON.parse(text) as { SecretId: string };
      reads.set(SecretId, (reads.get(SecretId) ?? 0) + 1);
      const value = secrets.get(SecretId);
      if (value === undefined) {
        reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return;
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        SecretString: value,
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    reads,
    put: (id, value) => secrets.set(id, value),
    remove: (id) => secrets.delete(id),
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
