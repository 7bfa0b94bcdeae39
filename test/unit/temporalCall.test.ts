import type { Context } from 'koa';
import type { AppDependencies } from '../../src/api/app';
import { withTemporal } from '../../src/api/routes/temporalCall';
import { ConflictError, ServiceUnavailableError } from '../../src/errors';

const ctx = { log: { error: () => undefined } } as unknown as Context;
const depsWith = (temporal: () => Promise<unknown>) => ({ temporal }) as unknown as AppDependencies;

describe('withTemporal', () => {
  it('answers 503 temporal_unavailable, naming the engine, when Temporal cannot be reached', async () => {
    const unreachable = depsWith(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')));
    const failure = withTemporal(ctx, unreachable, 'The scheduler', async () => 'never');
    await expect(failure).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(failure).rejects.toMatchObject({ code: 'temporal_unavailable', message: expect.stringMatching(/^The scheduler \(Temporal\)/), localized: { fr: expect.stringMatching(/^Le planificateur \(Temporal\)/) } });
  });

  it('lets our own typed errors through, and answers what the call answers', async () => {
    const reachable = depsWith(async () => ({}));
    await expect(withTemporal(ctx, reachable, 'The payout engine', async () => { throw new ConflictError('bulk_closed', { fr: 'terminé', en: 'closed' }); })).rejects.toMatchObject({ code: 'bulk_closed' });
    await expect(withTemporal(ctx, reachable, 'The payout engine', async () => 42)).resolves.toBe(42);
  });
});
