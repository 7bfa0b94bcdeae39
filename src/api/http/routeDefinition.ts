/**
 * One HTTP route, declared once: method, path, who may call it, the zod schemas of its params, query, body and
 * answers, and its handler. src/api/http/routeMounting.ts turns a declaration into Koa middleware (parsing the
 * request with the schemas, 400 otherwise); src/api/http/openApiBuilder.ts turns the same declarations into the
 * OpenAPI 3.1 document. So a route cannot be served without being described, nor described differently.
 */
import type { File } from 'formidable';
import type { Knex } from 'knex';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { createDocument } from 'zod-openapi';
import type { Config } from '../../config';
import type { TemporalHandle } from '../../clients/temporal';
import type { Language } from '../../i18n/message';
import type { RequestScope } from '../../requests/requestScope';
import type { AuthenticatedUser } from '../context';
import type { Guard } from './guards';

/** The OpenAPI 3.1 document that src/api/http/openApiBuilder.ts generates from the declarations. */
export type OpenApiDocument = ReturnType<typeof createDocument>;

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What the composition root gives the routes; each request's scope is made of it (src/api/http/routeMounting.ts). */
export interface RouteDependencies {
  config: Config;
  db: Knex;
  temporal: () => Promise<TemporalHandle>;
  /** The document generated from every route (given, so the route that serves it needs not import the table). */
  openApiDocument: () => OpenApiDocument;
}

/** Who may call: nobody in particular, or an authenticated user passing every guard (in order). */
export type Access =
  | { kind: 'public' }
  | { kind: 'user'; guards: readonly Guard[]; allowPendingPasswordChange?: boolean }
  /** A route that checks its own credentials (the metrics scrape token); described with `security`. */
  | { kind: 'custom'; security: ReadonlyArray<Record<string, string[]>> };

export interface JsonAnswer<Schema extends z.ZodType = z.ZodType> {
  description: string;
  schema: Schema;
  /** Other content types the same answer may take (e.g. a statement as CSV with `?format=csv`). */
  alternatives?: readonly string[];
  headers?: Readonly<Record<string, { description: string; required?: boolean }>>;
}

/** A file, a page or a text format: written as the handler gives it, typed by `contentType`. */
export interface RawAnswer {
  description: string;
  contentType: string;
  /** What a streamed JSON file holds, for the document (the handler's stream is not checked against it). */
  documentedAs?: z.ZodType;
  headers?: Readonly<Record<string, { description: string; required?: boolean }>>;
}

/** An answer without a body (204). */
export interface EmptyAnswer {
  description: string;
  empty: true;
  headers?: undefined;
}

export type Answer = JsonAnswer | RawAnswer | EmptyAnswer;
export type Answers = Readonly<Record<number, Answer>>;

/** An error code a route may answer, with the shape of its `details` when it always has some. */
export type ErrorSpec = string | { code: string; details: z.ZodType };
/** The error codes a route may answer, by status; the common ones (401, 403, the schemas' 400/404, 500) are added. */
export type ErrorCodes = Readonly<Record<number, readonly ErrorSpec[]>>;

export type RawBody = string | Buffer | NodeJS.ReadableStream;
type BodyOf<A> = A extends JsonAnswer<infer Schema> ? z.input<Schema> : A extends EmptyAnswer ? null : RawBody;
type Headers = Readonly<Record<string, string>>;

/**
 * What a handler returns: one of its declared statuses (checked when answered) with a body of the declared
 * shapes; or, for a JSON answer that declares `alternatives`, a raw body in one of them (`contentType`).
 */
export type Reply<R extends Answers> =
  | { status: number; body: BodyOf<R[keyof R]>; headers?: Headers; contentType?: undefined }
  | { status: number; body: RawBody; headers?: Headers; contentType: string };

export type RequestBody =
  | { kind: 'json'; schema: z.ZodType; description?: string }
  /**
   * One uploaded file in the form field `file`, written to a temporary file (removed after the answer), refused
   * past BULK_MAX_BYTES.
   */
  | { kind: 'file'; description: string };

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyInput<B> = B extends { kind: 'json'; schema: infer S }
  ? Parsed<S>
  : B extends { kind: 'file' }
    ? File
    : undefined;

export interface RouteInput<P, Q, B> {
  /** What the handler's use-cases are given: built once for this request. */
  scope: RequestScope;
  /** The raw request, for a route that reads a header itself (Idempotency-Key, the metrics token). */
  ctx: Context;
  /** RouteDependencies.openApiDocument, for the route that serves it. */
  openApiDocument: () => OpenApiDocument;
  /** The caller; only on routes with `access.kind === 'user'` (throws otherwise). */
  user: AuthenticatedUser;
  language: Language;
  params: Parsed<P>;
  query: Parsed<Q>;
  body: BodyInput<B>;
}

export interface RouteDefinition<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends RequestBody | undefined = RequestBody | undefined,
  R extends Answers = Answers,
> {
  method: HttpMethod;
  /** Koa style: `/api/bulk-transfers/:bulk_id/details`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** Path parameters. A value they refuse is answered 404, as a resource that does not exist. */
  params?: P;
  /** Query parameters, each given at most once; refused with 400 `invalid_filter` naming the parameter. */
  query?: Q;
  /** Request headers the route reads (e.g. Idempotency-Key), by their canonical names; for the document. */
  headers?: z.ZodObject;
  body?: B;
  answers: R;
  errors?: ErrorCodes;
  handler: (input: RouteInput<P, Q, B>) => Promise<Reply<R>>;
}

/** Declares a route; the identity function, there for the types (each handler checked against its own schemas). */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  const B extends RequestBody | undefined = undefined,
  const R extends Answers = Answers,
>(route: RouteDefinition<P, Q, B, R>): RouteDefinition {
  return route as unknown as RouteDefinition;
}

export function isJsonAnswer(answer: Answer): answer is JsonAnswer {
  return 'schema' in answer;
}

export function isEmptyAnswer(answer: Answer): answer is EmptyAnswer {
  return 'empty' in answer;
}
