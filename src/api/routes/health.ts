import Router from '@koa/router';
import { db } from '../../db/knex';
import type { AppDependencies } from '../app';

/** Liveness says the process runs; readiness says it can do its job (Postgres and Temporal answer). */
export function healthRouter(deps: AppDependencies): Router {
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const [postgres, temporal] = await Promise.all([
      check(() => db().raw('select 1')),
      check(async () => {
        const { connection } = await deps.temporal();
        await connection.workflowService.getSystemInfo({});
      }),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks: { postgres, temporal } };
  });

  return router;
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
  try {
    await withTimeout(probe(), 2000);
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
