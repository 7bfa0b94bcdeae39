/**
 * The staff console (console/, built by scripts/console.sh into console/dist), served at / from the same origin as
 * the API, so it needs no CORS and keeps a strict Content-Security-Policy: scripts, styles and connections to
 * 'self' only, nothing inline (the build inlines nothing), no frame may embed it.
 *
 * Its pages are paths of the single-page app (/lots/…, /historique, …): any GET of a path that is not an asset and
 * not one of the API's own (/api, /openapi.json, /swagger, /metrics, the health probes) answers index.html, and the
 * app's router shows the page. The API's paths never fall back: an unknown /api route stays a JSON 404.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Context, Middleware } from 'koa';
import { NotFoundError } from '../../errors';

const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // The page's empty favicon is a data: URL, so the browser does not ask for /favicon.ico.
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths of the app's pages: not the API's, not a file name (a missing asset is a 404, not the page). */
const APP_PAGE = /^\/(?!(?:api|swagger|metrics|health[^/]*|readyz|livez|openapi\.json)(?:[/.]|$))[^.]*$/;
const ASSET_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(?:js|css|svg|png|woff2)$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

/**
 * A plain middleware, not a router, registered after every router: it answers only what no route answered, and
 * describes no API route (the OpenAPI document and its test cover the API's routes only).
 */
export function serveConsole(): Middleware {
  const directory = consoleDirectory();
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return;
    const asset = /^\/assets\/([^/]+)$/.exec(ctx.path)?.[1];
    if (asset !== undefined) await sendAsset(ctx, directory, asset);
    else if (APP_PAGE.test(ctx.path)) await sendPage(ctx, directory);
  };
}

async function sendPage(ctx: Context, directory: string): Promise<void> {
  const page = join(directory, 'index.html');
  if (!existsSync(page))
    throw new NotFoundError('not_found', {
      fr: "La console n'est pas construite : lancez `npm start` ou `bash scripts/console.sh`.",
      en: 'The console is not built: run `npm start` or `bash scripts/console.sh`.',
    });
  setConsolePolicy(ctx);
  // Never cached: it names the current build's hashed files.
  ctx.set('Cache-Control', 'no-cache');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = await readFile(page);
}

async function sendAsset(ctx: Context, directory: string, name: string): Promise<void> {
  if (!ASSET_NAME.test(name)) return;
  const file = join(directory, 'assets', name);
  const found = await stat(file).catch(() => null);
  if (!found?.isFile()) return;
  setConsolePolicy(ctx);
  // Vite names each file by its content's hash: a name never changes content.
  ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
  ctx.type = CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)]!;
  ctx.body = await readFile(file);
}

/** console/dist of the project: found from this file upwards (the repository, or /app in the image). */
function consoleDirectory(): string {
  let directory = __dirname;
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory)
    directory = dirname(directory);
  return join(directory, 'console', 'dist');
}

/** Replaces helmet's policy on the console's answers: the same, without upgrade-insecure-requests (plain HTTP on a dev machine). */
function setConsolePolicy(ctx: Context): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
}
