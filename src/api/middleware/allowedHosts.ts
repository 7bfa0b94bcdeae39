/**
 * ALLOWED_HOSTS: a request whose Host header names none of the configured host names is refused with 400
 * `invalid_host` before any route runs. It keeps the API from answering under names nobody configured (DNS
 * rebinding from a browser, a misrouted virtual host, caches keyed on Host) even if a future route builds
 * links from the Host header.
 *
 * The Host header itself is checked, never X-Forwarded-Host, which any client can set: behind a reverse proxy,
 * have it pass the client's Host on (nginx `proxy_set_header Host $host`) or list the name it sends.
 * The health probes (/healthz, /readyz) are exempt: orchestrators call them by container or pod IP, and they
 * disclose nothing. An empty list, or `*` in it, turns the check off.
 */
import type { Middleware } from 'koa';
import { ValidationError } from '../../errors';

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

export function allowedHosts(hosts: readonly string[]): Middleware {
  const allowed = new Set(hosts.map((host) => host.toLowerCase()));
  const checkDisabled = allowed.size === 0 || allowed.has('*');
  return async (ctx, next) => {
    if (!checkDisabled && !PROBE_PATHS.has(ctx.path) && !allowed.has(hostNameOf(ctx.get('Host')))) {
      throw new ValidationError('invalid_host', {
        fr: "Nom d'hôte non autorisé (ALLOWED_HOSTS).",
        en: 'Host not allowed by ALLOWED_HOSTS.',
      });
    }
    await next();
  };
}

/** The host name of a Host header, lower case, without its port: `Api.Example:8000` -> `api.example`, `[::1]:80` -> `::1`. */
export function hostNameOf(header: string): string {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  return value.replace(/:\d+$/, '');
}
