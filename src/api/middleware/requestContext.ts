import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { logger } from '../../logging/logger';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** Gives every request an id (the caller's X-Request-Id if sane) and a logger that stamps it on each line. */
export async function requestContext(ctx: Context, next: Next): Promise<void> {
  const offered = ctx.get('X-Request-Id');
  ctx.requestId = REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
  ctx.log = logger.child({ requestId: ctx.requestId });
  ctx.set('X-Request-Id', ctx.requestId);
  const started = process.hrtime.bigint();
  try {
    await next();
  } finally {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    ctx.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, durationMs }, 'request');
  }
}
