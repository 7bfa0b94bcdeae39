import type { Logger } from 'pino';
import { PAYOUT_ENGINE, SCHEDULER, withTemporal } from '../../src/clients/temporalCall';
import { ConflictError, ServiceUnavailableError } from '../../src/errors';

const log = { error: () => undefined } as unknown as Logger;

describe('withTemporal', () => {
  it('answers 503 temporal_unavailable, naming the engine, when Temporal cannot be reached', async () => {
    const unreachable = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233'));
    const failure = withTemporal(unreachable, log, SCHEDULER, async () => 'never');
    await expect(failure).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(failure).rejects.toMatchObject({
      code: 'temporal_unavailable',
      message: expect.stringMatching(/^The scheduler \(Temporal\)/),
    });
  });

  it('lets our own typed errors through, and answers what the call answers', async () => {
    const reachable = async () => ({}) as never;
    const closed = new ConflictError('bulk_closed', { fr: 'terminé', en: 'closed' });
    await expect(
      withTemporal(reachable, log, PAYOUT_ENGINE, async () => {
        throw closed;
      }),
    ).rejects.toMatchObject({ code: 'bulk_closed' });
    await expect(withTemporal(reachable, log, PAYOUT_ENGINE, async () => 42)).resolves.toBe(42);
  });
});
