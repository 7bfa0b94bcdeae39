/** GET /metrics in the Prometheus text format (src/metrics/scrape.ts); behind a bearer token when METRICS_TOKEN is set. */
import { PROMETHEUS_TEXT, scrapeMetrics } from '../../metrics/scrape';
import { defineRoute } from '../http/routeDefinition';

const metrics = defineRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  tag: 'operations',
  summary: 'Prometheus metrics of the API',
  description:
    'When METRICS_TOKEN is set, scrapes must send `Authorization: Bearer <METRICS_TOKEN>`; otherwise it is open.',
  // The scrape token, not a user's session: checked by the route itself.
  access: { kind: 'custom', security: [{ metricsToken: [] }, {}] },
  answers: { 200: { description: 'The Prometheus text exposition format.', contentType: PROMETHEUS_TEXT } },
  errors: { 401: ['not_authenticated'] },
  handler: async ({ scope, ctx }) => ({
    status: 200,
    body: await scrapeMetrics(scope.db, ctx.get('Authorization') || undefined, scope.config.metrics.token),
    headers: { 'Cache-Control': 'no-store' },
  }),
});

export const metricsRoutes = [metrics];
