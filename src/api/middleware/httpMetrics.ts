import type { Context, Middleware, Next } from 'koa';
import type { Histogram } from 'prom-client';
import { apiMetrics, type HttpLabel } from '../../metrics/apiMetrics';

/** Route label of requests no route matched: their raw paths would give one series per scanner probe. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request into http_request_duration_seconds, labelled with the router's matched pattern
 * (`/api/bulk-transfers/:bulk_id/details`), never the raw path, so the label set stays small. The time runs until
 * the response is fully sent (or the client goes away), which for a streamed report is after the handler returned.
 */
export function httpMetrics(histogram: Histogram<HttpLabel> = apiMetrics().httpRequestDuration): Middleware {
  return async function measureRequest(ctx: Context, next: Next): Promise<void> {
    const stopTimer = histogram.startTimer();
    ctx.res.once('close', () => {
      stopTimer({ method: ctx.method, route: matchedRoute(ctx), status: String(ctx.status) });
    });
    await next();
  };
}

function matchedRoute(ctx: Context): string {
  // Set by @koa/router on the context when a route matches; the pattern includes any router prefix.
  const pattern = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  if (pattern === undefined) return UNMATCHED_ROUTE;
  return String(pattern);
}
