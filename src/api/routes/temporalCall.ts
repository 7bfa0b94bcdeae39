import type { Context } from 'koa';
import type { TemporalHandle } from '../../clients/temporal';
import { AppError, ServiceUnavailableError } from '../../errors';
import type { AppDependencies } from '../app';

/**
 * Runs a route's call to Temporal. Our own typed errors pass through; anything else (Temporal down or
 * unreachable) is a 503 `temporal_unavailable` the caller can retry, not an internal error. `engine` names what
 * Temporal is to this route's user ("The payout engine", "The scheduler").
 */
export async function withTemporal<T>(
  ctx: Context,
  deps: AppDependencies,
  engine: string,
  call: (temporal: TemporalHandle) => Promise<T>,
): Promise<T> {
  try {
    return await call(await deps.temporal());
  } catch (error) {
    if (error instanceof AppError) throw error;
    ctx.log.error({ err: error }, 'Temporal call failed');
    throw new ServiceUnavailableError(`${engine} (Temporal) is not reachable; try again shortly.`, 'temporal_unavailable');
  }
}
