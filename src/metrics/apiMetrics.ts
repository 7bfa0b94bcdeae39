/**
 * The API process's Prometheus registry, served at GET /metrics (src/api/routes/metrics.ts): HTTP latency by
 * route pattern, payout gauges counted in Postgres, and Node's default process metrics. One per process,
 * built on first use, because process metrics are per process and prom-client refuses duplicate names.
 */
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { type PayoutCounter, registerPayoutGauges } from './payoutGauges';

export type HttpLabel = 'method' | 'route' | 'status';

export interface ApiMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<HttpLabel>;
  /** Before each scrape (src/metrics/scrape.ts): the payout gauges are counted in the scrape's database. */
  countPayouts: PayoutCounter;
}

let shared: ApiMetrics | undefined;

export function apiMetrics(): ApiMetrics {
  shared ??= buildApiMetrics();
  return shared;
}

function buildApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram<HttpLabel>({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, matched route pattern and status, until the response is fully sent.',
    labelNames: ['method', 'route', 'status'],
    // Default buckets plus the long tail of report downloads and large uploads.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const countPayouts = registerPayoutGauges(registry);
  return { registry, httpRequestDuration, countPayouts };
}
