/** A Prometheus scrape of the API's registry, refused without the metrics token when one is set. */
import type { Knex } from 'knex';
import { Registry } from 'prom-client';
import { AuthenticationError } from '../errors';
import { apiMetrics } from './apiMetrics';
import { isAuthorizedScrape } from './scrapeAuth';

/** The text exposition format, as the registry writes it. */
export const PROMETHEUS_TEXT = Registry.PROMETHEUS_CONTENT_TYPE;

export async function scrapeMetrics(
  knex: Knex,
  authorizationHeader: string | undefined,
  token: string | null,
): Promise<string> {
  if (!isAuthorizedScrape(authorizationHeader, token)) {
    throw new AuthenticationError('not_authenticated', {
      fr: 'Un jeton de métriques valide est requis.',
      en: 'A valid metrics token is required.',
    });
  }
  const metrics = apiMetrics();
  await metrics.countPayouts(knex);
  return metrics.registry.metrics();
}
