import { Context, Next } from 'koa';
import { AppError } from '../../errors';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Maps every thrown error to `{error: {code, message, details?}}`; unknown errors never leak their text. */
export async function errorHandler(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      respond(ctx, 404, { error: { code: 'not_found', message: 'Not found.' } });
    }
  } catch (thrown) {
    const error = thrown as Error & { status?: number; expose?: boolean; code?: string };
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      const body: ErrorBody = { error: { code: error.code, message: error.message } };
      if (error.details !== undefined) body.error.details = error.details;
      respond(ctx, error.status, body);
      return;
    }
    // Errors raised by Koa middleware (koa-jwt 401, koa-body 413/415, ...) carry status and expose.
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      respond(ctx, error.status, { error: { code: codeForStatus(error.status), message: error.expose ? error.message : 'Bad request.' } });
      return;
    }
    ctx.log?.error({ err: error }, 'unhandled error');
    respond(ctx, 500, { error: { code: 'internal_error', message: 'An internal error occurred.' } });
  }
}

function respond(ctx: Context, status: number, body: ErrorBody): void {
  ctx.status = status;
  ctx.body = body;
}

function codeForStatus(status: number): string {
  switch (status) {
    case 401:
      return 'not_authenticated';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'bad_request';
  }
}
