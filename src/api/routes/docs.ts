/**
 * The API's description: GET /openapi.json (src/api/openapi), and Swagger UI at /swagger/ from the installed
 * swagger-ui-dist package. No inline script: the page loads our initializer as a file, so its Content-Security-Policy
 * allows scripts from 'self' only. That policy differs from helmet's default in one way that matters: it does not
 * upgrade insecure requests, which would break the page when the API is reached over plain HTTP (a dev machine).
 */
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { MESSAGES, NotFoundError } from '../../errors';
import { openApiDocument } from '../openapi';
import type { AppDependencies } from '../app';

const SWAGGER_UI_DIRECTORY = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The files of swagger-ui-dist the page uses; nothing else of node_modules is reachable. */
const SWAGGER_UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

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

export function docsRouter(_deps: AppDependencies): Router {
  // Strict: /swagger and /swagger/ are different routes (the first redirects to the second).
  const router = new Router({ strict: true });

  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument();
  });

  router.get('/swagger', (ctx) => {
    ctx.redirect('/swagger/');
  });

  router.get('/swagger/', swaggerUiPolicy, (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = INDEX_HTML;
  });

  router.get('/swagger/:asset', swaggerUiPolicy, (ctx) => {
    const asset = ctx.params.asset ?? '';
    if (asset === 'swagger-initializer.js') {
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.body = INITIALIZER_JS;
      return;
    }
    const contentType = Object.hasOwn(SWAGGER_UI_ASSETS, asset) ? SWAGGER_UI_ASSETS[asset] : undefined;
    if (contentType === undefined) throw new NotFoundError('not_found', MESSAGES.notFound);
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = contentType;
    ctx.body = createReadStream(join(SWAGGER_UI_DIRECTORY, asset));
  });

  return router;
}

/** Replaces helmet's Content-Security-Policy on the Swagger UI routes only. */
async function swaggerUiPolicy(ctx: Context, next: Next): Promise<void> {
  ctx.set('Content-Security-Policy', SWAGGER_UI_CSP);
  await next();
}
