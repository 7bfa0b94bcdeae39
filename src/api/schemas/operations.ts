/** The shapes of what operators and tools call: liveness, readiness, and this API's description. */
import { z } from 'zod';

const Probe = z.enum(['ok', 'unavailable']);

export const Liveness = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Liveness' });

export const Readiness = z
  .object({ status: Probe, checks: z.object({ postgres: Probe, temporal: Probe }) })
  .meta({ id: 'Readiness' });

export const ApiDescription = z
  .looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) })
  .meta({ id: 'ApiDescription', description: 'The OpenAPI 3.1 document.' });
