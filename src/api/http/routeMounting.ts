/**
 * Serves route declarations (src/api/http/routeDefinition.ts) with Koa: authentication and guards first, then the
 * body (JSON or one file), then params, query and body parsed by the route's schemas, then the handler, whose
 * reply is written as declared: JSON through stringifyJson (so a bigint amount is an exact JSON integer), other
 * answers as given, with their content type.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import type { Config } from '../../config';
import type { RequestScope } from '../../requests/requestScope';
import { respondJson, type JsonValue } from '../json';
import { authenticate } from '../middleware/authenticate';
import { currentUser } from '../middleware/permissions';
import { receiveFile, requireMultipart, uploadedFile } from './fileUpload';
import { parseBody } from './bodyValidation';
import { parseParams, parseQuery } from './requestParsing';
import {
  type Answer,
  type RouteDefinition,
  type RouteDependencies,
  isEmptyAnswer,
  isJsonAnswer,
} from './routeDefinition';

export function mountRoutes(routes: readonly RouteDefinition[], deps: RouteDependencies): Router {
  const router = new Router();
  for (const route of routes) router[route.method](route.path, ...middlewareOf(route, deps));
  return router;
}

function middlewareOf(route: RouteDefinition, deps: RouteDependencies): Middleware[] {
  return [...accessChecks(route, deps), ...bodyReaders(route, deps.config), handle(route, deps)];
}

function accessChecks(route: RouteDefinition, deps: RouteDependencies): Middleware[] {
  const { access } = route;
  if (access.kind !== 'user') return [];
  const guards: Middleware = async (ctx, next) => {
    const user = currentUser(ctx);
    for (const guard of access.guards) await guard.check(user, deps.db);
    await next();
  };
  return [authenticate(deps, { allowPendingPasswordChange: access.allowPendingPasswordChange ?? false }), guards];
}

function bodyReaders(route: RouteDefinition, config: Config): Middleware[] {
  const body = route.body;
  if (body === undefined) return [];
  if (body.kind === 'json') {
    return [
      koaBody({
        json: true,
        jsonLimit: `${config.http.jsonBodyLimitKb}kb`,
        urlencoded: false,
        text: false,
        multipart: false,
      }),
    ];
  }
  const multipartOnly: Middleware = async (ctx, next) => {
    requireMultipart(ctx);
    await next();
  };
  return [multipartOnly, receiveFile(config.bulk.maxBytes)];
}

function handle(route: RouteDefinition, deps: RouteDependencies): Middleware {
  return async (ctx) => {
    const input = {
      scope: scopeOf(ctx, deps),
      ctx,
      openApiDocument: deps.openApiDocument,
      get user() {
        return currentUser(ctx);
      },
      language: ctx.language,
      params: route.params ? parseParams(route.params, ctx.params as Record<string, string | undefined>) : undefined,
      query: route.query ? parseQuery(route.query, ctx.query) : undefined,
      body: requestBodyOf(route, ctx),
    };
    const reply = await (route.handler as unknown as (input: unknown) => Promise<ReplyShape>)(input);
    writeReply(ctx, route.answers[reply.status], reply);
  };
}

/** The one scope of this request: the process's services with the request's own logger, id and address. */
function scopeOf(ctx: Context, deps: RouteDependencies): RequestScope {
  return {
    db: deps.db,
    config: deps.config,
    temporal: deps.temporal,
    log: ctx.log,
    requestId: ctx.requestId,
    ip: ctx.ip,
  };
}

function requestBodyOf(route: RouteDefinition, ctx: Context): unknown {
  if (route.body === undefined) return undefined;
  if (route.body.kind === 'file') return uploadedFile(ctx);
  // Messages in the request's language (src/api/http/bodyValidation.ts).
  return parseBody(route.body.schema, ctx.request.body, ctx.language);
}

interface ReplyShape {
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
  contentType?: string;
}

function writeReply(ctx: Context, answer: Answer | undefined, reply: ReplyShape): void {
  if (!answer)
    throw new Error(
      `${ctx.method} ${ctx.path}: the handler answered ${reply.status}, which the route does not declare`,
    );
  for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
  if (isEmptyAnswer(answer)) {
    ctx.status = reply.status;
    ctx.body = null;
    return;
  }
  if (isJsonAnswer(answer) && reply.contentType === undefined) {
    respondJson(ctx, reply.status, reply.body as JsonValue);
    return;
  }
  const contentType = reply.contentType ?? (isJsonAnswer(answer) ? undefined : answer.contentType);
  const declared = isJsonAnswer(answer) ? (answer.alternatives ?? []) : [answer.contentType];
  if (contentType === undefined || !declared.includes(contentType)) {
    throw new Error(
      `${ctx.method} ${ctx.path}: the handler answered ${contentType ?? 'JSON'}, which the route does not declare`,
    );
  }
  ctx.status = reply.status;
  // Set before the body, or Koa would label a stream application/octet-stream.
  ctx.type = contentType;
  ctx.body = reply.body;
}
