/**
 * The OpenAPI 3.1 document, generated from the route declarations (zod-openapi renders their zod schemas as
 * JSON Schema 2020-12, the dialect of OpenAPI 3.1). Served at /openapi.json; the contract test validates real
 * answers against it.
 */
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import type { RouteDefinition, ErrorSpec, Access, OpenApiDocument } from './routeDefinition';
import { type Answer, isEmptyAnswer, isJsonAnswer } from './routeDefinition';

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
  tags: ReadonlyArray<{ name: string; description: string }>;
}

export function buildOpenApiDocument(routes: readonly RouteDefinition[], info: DocumentInfo): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    if (paths[path][route.method]) throw new Error(`OpenAPI: ${route.method.toUpperCase()} ${path} is declared twice`);
    paths[path][route.method] = operationOf(route);
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    tags: [...info.tags],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `access` token from POST /api/auth/login or /api/auth/token/refresh.',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for /metrics when it is set.' },
      },
    },
    security: [{ bearerAuth: [] }],
  });
}

function operationOf(route: RouteDefinition): ZodOpenApiOperationObject {
  const operation: ZodOpenApiOperationObject = {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: describeAccess(route.description, route.access),
    security: securityOf(route.access),
    responses: responsesOf(route),
  };
  if (route.access.kind === 'user') operation['x-permissions'] = route.access.guards.map((guard) => guard.name);
  if (route.params || route.query || route.headers) {
    operation.requestParams = {
      ...(route.params ? { path: route.params as z.ZodObject } : {}),
      ...(route.query ? { query: route.query as z.ZodObject } : {}),
      ...(route.headers ? { header: route.headers } : {}),
    };
  }
  if (route.body?.kind === 'json') {
    operation.requestBody = { required: true, content: { 'application/json': { schema: route.body.schema } } };
  }
  if (route.body?.kind === 'file') {
    operation.requestBody = {
      required: true,
      description: route.body.description,
      content: { 'multipart/form-data': { schema: z.object({ file: z.string().meta({ format: 'binary' }) }) } },
    };
  }
  return operation;
}

function describeAccess(description: string | undefined, access: Access): string | undefined {
  if (access.kind !== 'user' || access.guards.length === 0) return description;
  const who = `Who may call: ${access.guards.map((guard) => guard.description).join('; ')}.`;
  return description ? `${description}\n\n${who}` : who;
}

function securityOf(access: Access): Array<Record<string, string[]>> {
  if (access.kind === 'public') return [];
  if (access.kind === 'custom') return access.security.map((requirement) => ({ ...requirement }));
  return [{ bearerAuth: [] }];
}

const AUTHENTICATION_CODES = ['not_authenticated', 'token_not_valid', 'user_inactive', 'organization_inactive'];
const PERMISSION_CODES = ['permission_denied', 'password_change_required'];

function responsesOf(route: RouteDefinition): ZodOpenApiResponsesObject {
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(route.answers)) {
    const headers = answer.headers
      ? Object.fromEntries(
          Object.entries(answer.headers).map(([name, header]) => [name, { ...header, schema: z.string() }]),
        )
      : undefined;
    responses[status] = { description: answer.description, ...(headers ? { headers } : {}), ...contentOf(answer) };
  }
  for (const [status, specs] of Object.entries(errorsOf(route))) {
    responses[status] = {
      description: errorDescription(Number(status)),
      content: { 'application/json': { schema: errorSchema(specs) } },
    };
  }
  return responses as unknown as ZodOpenApiResponsesObject;
}

function contentOf(answer: Answer) {
  if (isEmptyAnswer(answer)) return {};
  if (isJsonAnswer(answer))
    return { content: { 'application/json': { schema: answer.schema }, ...rawContent(answer.alternatives ?? []) } };
  const content = rawContent([answer.contentType]);
  if (answer.documentedAs) content[answer.contentType.split(';')[0]!.trim()] = { schema: answer.documentedAs };
  return { content };
}

function rawContent(contentTypes: readonly string[]): Record<string, { schema: z.ZodType }> {
  // The document names media types without their parameters (`text/csv`, not `text/csv; charset=utf-8`).
  return Object.fromEntries(
    contentTypes.map((contentType) => [contentType.split(';')[0]!.trim(), { schema: z.string() }]),
  );
}

/** The route's own error codes, plus those every route of its kind may answer. */
function errorsOf(route: RouteDefinition): Record<number, ErrorSpec[]> {
  const errors: Record<number, ErrorSpec[]> = {};
  const add = (status: number, ...specs: ErrorSpec[]) => {
    errors[status] = [
      ...(errors[status] ?? []),
      ...specs.filter((spec) => !(errors[status] ?? []).some((known) => codeOf(known) === codeOf(spec))),
    ];
  };
  for (const [status, specs] of Object.entries(route.errors ?? {})) add(Number(status), ...specs);
  if (route.access.kind === 'user') {
    add(401, ...AUTHENTICATION_CODES);
    add(403, ...PERMISSION_CODES);
  }
  if (route.params) add(404, 'not_found');
  if (route.query) add(400, { code: 'invalid_filter', details: FIELD });
  if (route.body?.kind === 'json') {
    add(400, { code: 'validation_error', details: FIELD_ERRORS }, 'bad_request');
    add(413, 'payload_too_large');
  }
  add(500, 'internal_error');
  return errors;
}

const FIELD = z.object({ field: z.string() });
const FIELD_ERRORS = z.record(z.string(), z.array(z.string()));

function codeOf(spec: ErrorSpec): string {
  return typeof spec === 'string' ? spec : spec.code;
}

/** `{error: {code, message, details?}}`, `code` one of the listed ones; `details` shaped where the code says. */
function errorSchema(specs: readonly ErrorSpec[]): z.ZodType {
  const plain = specs.filter((spec): spec is string => typeof spec === 'string');
  const shaped = specs.filter((spec): spec is Exclude<ErrorSpec, string> => typeof spec !== 'string');
  const variants: z.ZodType[] = shaped.map((spec) =>
    z.object({ error: z.object({ code: z.literal(spec.code), message: z.string(), details: spec.details }) }),
  );
  if (plain.length > 0) {
    variants.push(
      z.object({
        error: z.object({
          code: z.enum(plain as [string, ...string[]]),
          message: z.string(),
          details: z.unknown().optional(),
        }),
      }),
    );
  }
  return variants.length === 1 ? variants[0]! : z.union(variants as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

function errorDescription(status: number): string {
  const descriptions: Record<number, string> = {
    400: 'The request is refused: `code` says why, `details` where.',
    401: 'Not authenticated, or the session has ended.',
    403: 'Not allowed for this user.',
    404: 'No such resource (or one of another organization).',
    409: 'The resource is not in a state that allows this.',
    413: 'Too large.',
    415: 'Wrong content type.',
    422: 'Understood but refused.',
    429: 'Too many attempts; see Retry-After.',
    500: 'An unexpected error; nothing is said of its cause.',
    503: 'A service the route needs is unavailable; retry.',
  };
  return descriptions[status] ?? 'An error.';
}
