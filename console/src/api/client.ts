/**
 * The typed API client: openapi-fetch over the types openapi-typescript generated from the API's own OpenAPI
 * document (scripts/console.sh), so a route or a shape that changes breaks this project's type check, not its users.
 * Every call goes through the session's fetch (tokens, refresh, Accept-Language).
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../../generated/api';
import { sessionFetch } from './session';

export type Schemas = components['schemas'];

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: sessionFetch });

/** An amount as the API writes it: a JSON integer of minor units (the API keeps every amount below 2^53). */
export type MinorUnits = number;
