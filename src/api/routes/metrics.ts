import Router from '@koa/router';
import { AuthenticationError } from '../../errors';
import { apiMetrics } from '../../metrics/apiMetrics';
import { isAuthorizedScrape } from '../../metrics/scrapeAuth';
import type { AppDependencies } from '../app';

/** GET /metrics in the Prometheus text format; behind a bearer token when METRICS_TOKEN is set. */
export function metricsRouter(deps: AppDependencies): Router {
  const router = new Router();

  router.get('/metrics', async (ctx) => {
    if (!isAuthorizedScrape(ctx.get('Authorization') || undefined, deps.config.metrics.token)) {
      throw new AuthenticationError('not_authenticated', { fr: 'Un jeton de métriques valide est requis.', en: 'A valid metrics token is required.' });
    }
    const { registry } = apiMetrics();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });

  return router;
}
