/**
 * What operators and tools call: liveness, readiness and metrics (src/api/routes/health.ts, metrics.ts), and this
 * description itself with its Swagger UI (src/api/routes/docs.ts).
 */
import { errorResponse, jsonResponse, object, PUBLIC } from './components';
import type { ApiArea, SchemaObject } from './types';

const TAG = 'operations';
const probe: SchemaObject = { type: 'string', enum: ['ok', 'unavailable'] };

const schemas: Record<string, SchemaObject> = {
  Liveness: { ...object({ status: { const: 'ok' } }), additionalProperties: false },
  Readiness: object({
    status: probe,
    checks: object({ postgres: probe, temporal: probe }),
  }),
};

export const operationsArea: ApiArea = {
  tag: { name: TAG, description: 'Health probes, Prometheus metrics and this API description.' },
  schemas,
  paths: {
    '/healthz': {
      get: {
        operationId: 'liveness',
        tags: [TAG],
        summary: 'Liveness: the process runs',
        security: PUBLIC,
        responses: { '200': jsonResponse('Alive.', { $ref: '#/components/schemas/Liveness' }) },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readiness',
        tags: [TAG],
        summary: 'Readiness: Postgres and Temporal answer (each within 2 s)',
        security: PUBLIC,
        responses: {
          '200': jsonResponse('Ready.', { $ref: '#/components/schemas/Readiness' }),
          '503': jsonResponse('Not ready: `checks` says which dependency is unavailable.', { $ref: '#/components/schemas/Readiness' }),
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        tags: [TAG],
        summary: 'Prometheus metrics of the API',
        description: 'When METRICS_TOKEN is set, scrapes must send `Authorization: Bearer <METRICS_TOKEN>`; otherwise it is open.',
        security: [{ metricsToken: [] }, {}],
        responses: {
          '200': {
            description: 'The Prometheus text exposition format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          '401': errorResponse('METRICS_TOKEN is set and the request did not send it.', { codes: ['not_authenticated'] }),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openApiDocument',
        tags: [TAG],
        summary: 'This description (OpenAPI 3.1)',
        security: PUBLIC,
        responses: {
          '200': jsonResponse('The OpenAPI document.', object({ openapi: { type: 'string' }, paths: { type: 'object' } })),
        },
      },
    },
    '/swagger': {
      get: {
        operationId: 'swaggerUiRedirect',
        tags: [TAG],
        summary: 'Redirects to /swagger/',
        security: PUBLIC,
        responses: { '302': { description: 'To `/swagger/`, so that the page\'s relative links resolve.', headers: { Location: { schema: { type: 'string' } } } } },
      },
    },
    '/swagger/': {
      get: {
        operationId: 'swaggerUi',
        tags: [TAG],
        summary: 'Swagger UI for this description',
        security: PUBLIC,
        responses: { '200': { description: 'The Swagger UI page.', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/swagger/{asset}': {
      get: {
        operationId: 'swaggerUiAsset',
        tags: [TAG],
        summary: "Swagger UI's scripts, styles and icons",
        security: PUBLIC,
        parameters: [{ name: 'asset', in: 'path', required: true, description: 'A file of the Swagger UI page.', schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The file (JavaScript, CSS or PNG).' },
          '404': errorResponse('Not one of the Swagger UI files.', { codes: ['not_found'] }),
        },
      },
    },
  },
};
