/**
 * The worker has no HTTP API, so its metrics (src/metrics/workerMetrics.ts) get a small server of their own:
 * GET /metrics on WORKER_METRICS_PORT, behind METRICS_TOKEN when set. Nothing else is served.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../logging/logger';
import { isAuthorizedScrape } from '../metrics/scrapeAuth';
import { workerMetrics } from '../metrics/workerMetrics';

export interface WorkerMetricsServer {
  /** The port listened on (useful when 0 asked the system for a free one); null when disabled. */
  readonly port: number | null;
  close(): Promise<void>;
}

export interface WorkerMetricsServerOptions {
  host?: string;
  /** config().metrics.token */
  token?: string | null;
}

/** Starts serving on `port` (null: disabled, nothing listens; 0: any free port). Resolves once listening. */
export async function startWorkerMetricsServer(
  port: number | null,
  options: WorkerMetricsServerOptions = {},
): Promise<WorkerMetricsServer> {
  if (port === null) return { port: null, close: async () => undefined };

  const server = http.createServer((request, response) => {
    serveMetrics(request, response, options.token ?? null).catch((error: unknown) => {
      logger.error({ err: error }, 'worker metrics scrape failed');
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const listening = (server.address() as AddressInfo).port;
  logger.info({ port: listening }, 'worker metrics listening');
  return {
    port: listening,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function serveMetrics(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  token: string | null,
): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (request.method !== 'GET' || path !== '/metrics') {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    return;
  }
  if (!isAuthorizedScrape(request.headers.authorization, token)) {
    response.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end('Unauthorized\n');
    return;
  }
  const { registry } = workerMetrics();
  const body = await registry.metrics();
  response.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(body);
}
