/**
 * The OpenAPI 3.1 description of every route the API serves, served at /openapi.json (src/api/routes/docs.ts).
 * Each area file describes one router; test/integration/openapi.test.ts checks that the routes described are
 * exactly the routes served, and that real answers match the response schemas.
 */
import { accountsArea } from './accounts';
import { adminArea } from './admin';
import { authArea } from './auth';
import { bulkTransfersArea, reportsTag } from './bulkTransfers';
import { responses, sharedSchemas } from './components';
import { operationsArea } from './operations';
import { pensionRollArea } from './pensionRoll';
import { pensionRunsArea } from './pensionRuns';
import type { ApiArea, HttpMethod, OpenApiDocument, PathsObject, SchemaObject } from './types';

export type { OpenApiDocument } from './types';

/** The contract's version: raised when a route or a shape changes, whatever the package version. */
const API_VERSION = '0.1.0';

const AREAS: readonly ApiArea[] = [authArea, adminArea, accountsArea, bulkTransfersArea, pensionRollArea, pensionRunsArea, operationsArea];

const DESCRIPTION = `Pays pension lists (XOF, to mobile-money wallets) through a Mojaloop switch.

Authentication: log in with POST /api/auth/login, then send \`Authorization: Bearer <access>\`; refresh with
POST /api/auth/token/refresh. Money is minor units: a decimal string on the bulk, report and pension routes, a JSON
integer (never a float) on the /api/accounts routes. Every error answers
\`{"error": {"code", "message", "details"?}}\` with a stable machine-readable \`code\`.`;

/** Built once per process: it depends on the code only, never on the configuration or the request. */
let built: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  built ??= buildDocument();
  return built;
}

function buildDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: 'Pension payout gateway', version: API_VERSION, description: DESCRIPTION },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...AREAS.map((area) => area.tag), reportsTag],
    paths: withInternalErrors(mergePaths(AREAS)),
    components: {
      schemas: mergeSchemas(AREAS),
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
    // Most routes need a token; the public ones say so with `security: []`.
    security: [{ bearerAuth: [] }],
  };
}

function mergePaths(areas: readonly ApiArea[]): PathsObject {
  const paths: PathsObject = {};
  for (const area of areas) {
    for (const [path, item] of Object.entries(area.paths)) {
      if (paths[path]) throw new Error(`OpenAPI: ${path} is described by two areas`);
      paths[path] = item;
    }
  }
  return paths;
}

function mergeSchemas(areas: readonly ApiArea[]): Record<string, SchemaObject> {
  const schemas: Record<string, SchemaObject> = { ...sharedSchemas };
  for (const area of areas) {
    for (const [name, schema] of Object.entries(area.schemas)) {
      if (schemas[name]) throw new Error(`OpenAPI: schema ${name} is defined twice`);
      schemas[name] = schema;
    }
  }
  return schemas;
}

/** Any route may fail unexpectedly: the 500 is the same everywhere, so it is added here rather than in each area. */
function withInternalErrors(paths: PathsObject): PathsObject {
  const result: PathsObject = {};
  for (const [path, item] of Object.entries(paths)) {
    result[path] = {};
    for (const [method, operation] of Object.entries(item) as Array<[HttpMethod, NonNullable<(typeof item)[HttpMethod]>]>) {
      result[path][method] = { ...operation, responses: { ...operation.responses, '500': responses.internalError } };
    }
  }
  return result;
}
