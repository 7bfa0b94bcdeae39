/**
 * A request's params and query, parsed by the route's zod schemas (its JSON body: ./bodyValidation.ts). Refusals:
 * - a path parameter: 404, as a resource that does not exist (a malformed id names nothing);
 * - a query parameter: 400 `invalid_filter`, `details.field` naming it, the message saying what it accepts.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors';
import { notFound } from '../../organizations/organizationScope';
import { expectationOf } from './queryParams';

export function parseParams(schema: z.ZodType, raw: Record<string, string | undefined>): unknown {
  const result = schema.safeParse(raw);
  if (!result.success) throw notFound();
  return result.data;
}

type RawQuery = Record<string, string | string[] | undefined>;

export function parseQuery(schema: z.ZodType, raw: RawQuery): unknown {
  const single: Record<string, string> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (Array.isArray(value))
      throw invalidFilter(field, {
        fr: `${field} est donné plus d'une fois.`,
        en: `${field} is given more than once.`,
      });
    if (value !== undefined) single[field] = value;
  }
  const result = schema.safeParse(single);
  if (result.success) return result.data;
  const field = String(result.error.issues[0]?.path[0] ?? '');
  throw invalidFilter(field, refusalOf(schema, field));
}

function refusalOf(schema: z.ZodType, field: string) {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const expects = shape[field] ? expectationOf(shape[field]) : undefined;
  if (!expects) return { fr: `${field} est invalide.`, en: `${field} is invalid.` };
  return { fr: `${field} doit être ${expects.fr}.`, en: `${field} must be ${expects.en}.` };
}

export function invalidFilter(field: string, message: { fr: string; en: string }): ValidationError {
  return new ValidationError('invalid_filter', message, { field });
}
