/**
 * The typed API client: openapi-fetch over the types openapi-typescript generated from the API's own OpenAPI
 * document (scripts/console.sh), so a route or a shape that changes breaks this project's type check, not its users.
 * Every call goes through the session's fetch (tokens, refresh, Accept-Language).
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../../generated/api';
import { sessionFetch } from './session';

export type Schemas = components['schemas'];

/** The JSON body a route takes, for bodies the document declares inline rather than as a named schema. */
export type JsonBody<P extends keyof paths, M extends 'post' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The query a GET route takes. */
export type QueryOf<P extends keyof paths> = paths[P]['get'] extends { parameters: { query?: infer Query } }
  ? NonNullable<Query>
  : never;

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: sessionFetch });

/** An amount as the API writes it: a JSON integer of minor units (the API keeps every amount below 2^53). */
export type MinorUnits = number;
