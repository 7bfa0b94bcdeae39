import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a scrape may read metrics: always when no token is configured (METRICS_TOKEN empty: development and
 * tests only, production refuses to start without one), otherwise only with `Authorization: Bearer <token>`. Constant-time comparison so
 * the token cannot be guessed byte by byte from response times.
 */
export function isAuthorizedScrape(authorizationHeader: string | undefined, token: string | null): boolean {
  if (token === null) return true;
  const match = /^Bearer (.+)$/.exec(authorizationHeader ?? '');
  if (!match) return false;
  const offered = Buffer.from(match[1]!, 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}
