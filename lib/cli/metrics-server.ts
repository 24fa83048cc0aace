import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { ListenAddress } from '../config/listen-address.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE } from '../report/openmetrics.js';
import { errorText } from '../util/error-text.js';

/** `/metrics` for `check --watch --metrics-listen`: serves whatever the last epoch rendered. */
export interface MetricsServer {
  /** `http://HOST:PORT/metrics` as bound (the real port when 0 was asked for). */
  readonly url: string;
  /** Replace what a scrape gets. */
  update(exposition: string): void;
  /** Stop listening and drop open connections (keep-alive scrapers included). */
  close(): Promise<void>;
}

/** Binds or throws a ConfigError naming `source` (port taken, address not on this machine). */
export async function startMetricsServer(listen: ListenAddress, source: string): Promise<MetricsServer> {
  let body: string | undefined;
  const server = createServer((req, res) => respond(req, res, body));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw new ConfigError(source, `cannot listen on ${hostPort(listen.host, listen.port)}: ${errorText(error)}`);
  });
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${hostPort(bound.address, bound.port)}/metrics`,
    update: (exposition) => {
      body = exposition;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function respond(req: IncomingMessage, res: ServerResponse, body: string | undefined): void {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return plain(res, 404, 'not found: metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, 'method not allowed\n');
  }
  // Before the first epoch there is nothing true to say; a failed scrape says so.
  if (body === undefined) return plain(res, 503, 'no epoch has finished yet\n');
  // Every family is a gauge, so the text is valid in both formats; only the label differs.
  const openMetrics = /application\/openmetrics-text/i.test(req.headers.accept ?? '');
  res.writeHead(200, { 'Content-Type': openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
