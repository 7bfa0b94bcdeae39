/** Liveness says the process runs; readiness says it can do its job (src/health/readiness.ts). */
import { readiness } from '../../health/readiness';
import { defineRoute } from '../http/routeDefinition';
import { Liveness, Readiness } from '../schemas/operations';

const tag = 'operations';

const liveness = defineRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'liveness',
  tag,
  summary: 'Liveness: the process runs',
  access: { kind: 'public' },
  answers: { 200: { description: 'Alive.', schema: Liveness } },
  handler: () => Promise.resolve({ status: 200, body: { status: 'ok' as const } }),
});

const ready = defineRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'readiness',
  tag,
  summary: 'Readiness: Postgres and Temporal answer (each within 2 s)',
  access: { kind: 'public' },
  answers: {
    200: { description: 'Ready.', schema: Readiness },
    503: { description: 'Not ready: `checks` says which dependency is unavailable.', schema: Readiness },
  },
  handler: async ({ scope }) => {
    const { ready: isReady, status, checks } = await readiness(scope);
    return { status: isReady ? 200 : 503, body: { status, checks } };
  },
});

export const healthRoutes = [liveness, ready];
