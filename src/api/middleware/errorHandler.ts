import type { Context, Next } from 'koa';
import { AppError, type Message, MESSAGES } from '../../errors';
import { localize } from '../../i18n/message';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** What Koa's own middleware errors (koa-jwt 401, koa-body 413/415, ...) answer: their text is English only. */
const GENERIC_ERRORS: Record<number, { code: string; message: Message }> = {
  401: { code: 'not_authenticated', message: MESSAGES.notAuthenticated },
  403: { code: 'permission_denied', message: MESSAGES.permissionDenied },
  404: { code: 'not_found', message: MESSAGES.notFound },
  413: {
    code: 'payload_too_large',
    message: { fr: 'Le corps de la requête est trop volumineux.', en: 'The request body is too large.' },
  },
  415: {
    code: 'unsupported_media_type',
    message: { fr: "Ce type de contenu n'est pas accepté.", en: 'This content type is not supported.' },
  },
};
const BAD_REQUEST = { code: 'bad_request', message: { fr: 'Requête invalide.', en: 'Bad request.' } };
const INTERNAL_ERROR: Message = { fr: 'Une erreur interne est survenue.', en: 'An internal error occurred.' };

/**
 * Maps every thrown error to `{error: {code, message, details?}}`, the message (and any Message in the details)
 * in the request's language; unknown errors never leak their text.
 */
export async function errorHandler(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) respondGeneric(ctx, 404);
  } catch (thrown) {
    const error = thrown as Error & { status?: number };
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      const body: ErrorBody = { error: { code: error.code, message: error.localized[ctx.language] } };
      if (error.details !== undefined) body.error.details = localize(error.details, ctx.language);
      respond(ctx, error.status, body);
      return;
    }
    // Errors raised by Koa middleware carry a status; their own text is English, so ours is answered instead.
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      respondGeneric(ctx, error.status);
      return;
    }
    ctx.log?.error({ err: error }, 'unhandled error');
    respond(ctx, 500, { error: { code: 'internal_error', message: INTERNAL_ERROR[ctx.language] } });
  }
}

function respondGeneric(ctx: Context, status: number): void {
  const { code, message } = GENERIC_ERRORS[status] ?? BAD_REQUEST;
  respond(ctx, status, { error: { code, message: message[ctx.language] } });
}

function respond(ctx: Context, status: number, body: ErrorBody): void {
  ctx.status = status;
  ctx.body = body;
}
