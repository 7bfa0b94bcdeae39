import type { Logger } from 'pino';
import { AppError, type Message, ServiceUnavailableError } from '../errors';
import type { TemporalHandle } from './temporal';

/**
 * Runs a call to Temporal for a use-case. Our own typed errors pass through; anything else (Temporal down or
 * unreachable) is a 503 `temporal_unavailable` the caller can retry, not an internal error. `engine` names what
 * Temporal is to the user ("le moteur de paiement", "le planificateur").
 */
export async function withTemporal<T>(
  temporal: () => Promise<TemporalHandle>,
  log: Logger,
  engine: Message,
  call: (handle: TemporalHandle) => Promise<T>,
): Promise<T> {
  try {
    return await call(await temporal());
  } catch (error) {
    if (error instanceof AppError) throw error;
    log.error({ err: error }, 'Temporal call failed');
    throw new ServiceUnavailableError('temporal_unavailable', {
      fr: `${capitalized(engine.fr)} (Temporal) est injoignable ; réessayez dans un instant.`,
      en: `${capitalized(engine.en)} (Temporal) is not reachable; try again shortly.`,
    });
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const PAYOUT_ENGINE: Message = { fr: 'le moteur de paiement', en: 'the payout engine' };
export const SCHEDULER: Message = { fr: 'le planificateur', en: 'the scheduler' };
