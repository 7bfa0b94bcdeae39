import type { Knex } from 'knex';
import Koa from 'koa';
import cors from '@koa/cors';
import helmet from 'koa-helmet';
import type { Config } from '../config';
import type { TemporalHandle } from '../clients/temporal';
import { allowedHosts } from './middleware/allowedHosts';
import { errorHandler } from './middleware/errorHandler';
import { httpMetrics } from './middleware/httpMetrics';
import { requestContext } from './middleware/requestContext';
import { requestLanguage } from './middleware/requestLanguage';
import { mountRoutes } from './http/routeMounting';
import { openApiDocument } from './apiDocument';
import { ROUTES } from './routeTable';
import { serveConsole } from './middleware/consoleAssets';
import './context';

export interface AppDependencies {
  config: Config;
  /** The process's connection pool (src/db/knex.ts openDatabase): every request's queries go through it. */
  db: Knex;
  temporal: () => Promise<TemporalHandle>;
}

/** Builds the Koa application; listening, signals and shutdown belong to src/api/server.ts. */
export function createApp(deps: AppDependencies): Koa {
  const hops = deps.config.http.trustedProxyHops;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  app.context.log = undefined as never; // set per request by requestContext
  app.context.language = deps.config.http.defaultLanguage; // set per request by requestLanguage

  app.use(requestContext);
  app.use(httpMetrics());
  app.use(requestLanguage(deps.config.http.defaultLanguage));
  app.use(errorHandler);
  app.use(allowedHosts(deps.config.http.allowedHosts));
  app.use(helmet());
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        return deps.config.http.corsAllowedOrigins.includes(origin) ? origin : '';
      },
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
    }),
  );

  const router = mountRoutes(ROUTES, { ...deps, openApiDocument });
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(serveConsole());
  return app;
}
