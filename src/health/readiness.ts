/** Readiness: whether the API can do its job, i.e. Postgres and Temporal each answer within two seconds. */
import type { RequestScope } from '../requests/requestScope';

type Probe = 'ok' | 'unavailable';

const PROBE_TIMEOUT_MS = 2000;

export async function readiness(scope: RequestScope) {
  const [postgres, temporalProbe] = await Promise.all([
    check(() => scope.db.raw('select 1')),
    check(async () => {
      const { connection } = await scope.temporal();
      await connection.workflowService.getSystemInfo({});
    }),
  ]);
  const ready = postgres === 'ok' && temporalProbe === 'ok';
  return {
    ready,
    status: ready ? ('ok' as const) : ('unavailable' as const),
    checks: { postgres, temporal: temporalProbe },
  };
}

async function check(probe: () => Promise<unknown>): Promise<Probe> {
  try {
    await withTimeout(probe(), PROBE_TIMEOUT_MS);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
