/**
 * The API's description: GET /openapi.json (src/api/apiDocument.ts), and Swagger UI at /swagger/ from the
 * installed swagger-ui-dist package. No inline script: the page loads our initializer as a file, so its Content-Security-Policy
 * allows scripts from 'self' only. That policy differs from helmet's default in one way that matters: it does not
 * upgrade insecure requests, which would break the page when the API is reached over plain HTTP (a dev machine).
 */
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineRoute } from '../http/routeDefinition';
import { ApiDescription } from '../schemas/operations';

const SWAGGER_UI_DIRECTORY = dirname(require.resolve('swagger-ui-dist/package.json'));

const CSS = 'text/css; charset=utf-8';
const JAVASCRIPT = 'application/javascript; charset=utf-8';
const PNG = 'image/png';
const HTML = 'text/html; charset=utf-8';

/**
 * The files of swagger-ui-dist the page uses, one route each: nothing else of node_modules is reachable (any other
 * /swagger/… path matches no route: 404).
 */
const SWAGGER_UI_ASSETS = [
  { file: 'swagger-ui.css', contentType: CSS, operationId: 'swaggerUiStyles' },
  { file: 'index.css', contentType: CSS, operationId: 'swaggerUiPageStyles' },
  { file: 'swagger-ui-bundle.js', contentType: JAVASCRIPT, operationId: 'swaggerUiBundle' },
  { file: 'swagger-ui-standalone-preset.js', contentType: JAVASCRIPT, operationId: 'swaggerUiPreset' },
  { file: 'favicon-32x32.png', contentType: PNG, operationId: 'swaggerUiIcon32' },
  { file: 'favicon-16x16.png', contentType: PNG, operationId: 'swaggerUiIcon16' },
] as const;

export const SWAGGER_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Swagger UI sets style attributes and draws its icons as data: images.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Pension payout gateway: API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="./index.css">
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="./swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// Relative to /swagger/, so the page also works behind a reverse proxy's path prefix. No validator: it would send
// the description to an outside service.
const INITIALIZER_JS = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

const tag = 'operations';
const publicAccess = { kind: 'public' } as const;
/** Replaces helmet's Content-Security-Policy on the Swagger UI routes only. */
const swaggerUiPolicy = { 'Content-Security-Policy': SWAGGER_UI_CSP };

const description = defineRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'openApiDocument',
  tag,
  summary: 'This description (OpenAPI 3.1)',
  access: publicAccess,
  answers: { 200: { description: 'The OpenAPI document.', schema: ApiDescription } },
  handler: ({ openApiDocument }) => {
    const document = openApiDocument();
    // Always there (the route table is never empty); optional only in the OpenAPI types.
    return Promise.resolve({ status: 200, body: { ...document, paths: document.paths ?? {} } });
  },
});

// Declared before /swagger: the router is not strict, so /swagger would also match /swagger/ (and loop on it).
const page = defineRoute({
  method: 'get',
  path: '/swagger/',
  operationId: 'swaggerUi',
  tag,
  summary: 'Swagger UI for this description',
  access: publicAccess,
  answers: { 200: { description: 'The Swagger UI page.', contentType: HTML } },
  handler: () => Promise.resolve({ status: 200, body: INDEX_HTML, headers: swaggerUiPolicy }),
});

const redirect = defineRoute({
  method: 'get',
  path: '/swagger',
  operationId: 'swaggerUiRedirect',
  tag,
  summary: 'Redirects to /swagger/',
  access: publicAccess,
  answers: {
    302: {
      description: "To `/swagger/`, so that the page's relative links resolve.",
      contentType: 'text/plain; charset=utf-8',
      headers: { Location: { description: '/swagger/', required: true } },
    },
  },
  handler: () =>
    Promise.resolve({ status: 302, body: 'Redirecting to /swagger/.', headers: { Location: '/swagger/' } }),
});

const initializer = defineRoute({
  method: 'get',
  path: '/swagger/swagger-initializer.js',
  operationId: 'swaggerUiInitializer',
  tag,
  summary: "Swagger UI's initializer: loads /openapi.json",
  access: publicAccess,
  answers: { 200: { description: 'The script.', contentType: JAVASCRIPT } },
  handler: () => Promise.resolve({ status: 200, body: INITIALIZER_JS, headers: swaggerUiPolicy }),
});

const assets = SWAGGER_UI_ASSETS.map(({ file, contentType, operationId }) =>
  defineRoute({
    method: 'get',
    path: `/swagger/${file}`,
    operationId,
    tag,
    summary: `Swagger UI's ${file}`,
    access: publicAccess,
    answers: { 200: { description: `${file}, from swagger-ui-dist.`, contentType } },
    handler: () =>
      Promise.resolve({
        status: 200,
        body: createReadStream(join(SWAGGER_UI_DIRECTORY, file)),
        headers: { ...swaggerUiPolicy, 'Cache-Control': 'public, max-age=3600' },
      }),
  }),
);

export const docsRoutes = [description, page, redirect, initializer, ...assets];
