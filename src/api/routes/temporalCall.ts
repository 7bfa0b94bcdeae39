import type { Context } from 'koa';
import type { TemporalHandle } from '../../clients/temporal';
import { AppError, Message, ServiceUnavailableError } from '../../errors';
import type { AppDependencies } from '../app';

/** What the caller waited on, named in the 503. */
export type TemporalEngine = 'The scheduler' | 'The payout engine';

const ENGINE_NAMES: Record<TemporalEngine, Message> = {
  'The scheduler': { fr: 'Le planificateur', en: 'The scheduler' },
  'The payout engine': { fr: 'Le moteur de paiement', en: 'The payout engine' },
};

/**
 * Runs a route's call to Temporal. Our own typed errors pass through; anything else (Temporal down or
 * unreachable) is a 503 `temporal_unavailable` the caller can retry, not an internal error. `engine` names what
 * Temporal is to this route's user ("The payout engine", "The scheduler").
 */
export async function withTemporal<T>(
  ctx: Context,
  deps: AppDependencies,
  engine: TemporalEngine,
  call: (temporal: TemporalHandle) => Promise<T>,
): Promise<T> {
  try {
    return await call(await deps.temporal());
  } catch (error) {
    if (error instanceof AppError) throw error;
    ctx.log.error({ err: error }, 'Temporal call failed');
    const name = ENGINE_NAMES[engine];
    throw new ServiceUnavailableError('temporal_unavailable', {
      fr: `${name.fr} (Temporal) est injoignable ; réessayez dans un instant.`,
      en: `${name.en} (Temporal) is not reachable; try again shortly.`,
    });
  }
}
