import type { Context } from 'koa';
import { z } from 'zod';
import { ValidationError } from '../../errors';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The request's `Idempotency-Key`, or null without one. */
export function idempotencyKeyOf(ctx: Context): string | null {
  const key = ctx.get('Idempotency-Key').trim();
  if (key === '') return null;
  if (key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return key;
  throw new ValidationError(
    'invalid_idempotency_key',
    {
      fr: `Idempotency-Key dépasse ${MAX_IDEMPOTENCY_KEY_LENGTH} caractères.`,
      en: `Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
    },
    { field: 'Idempotency-Key' },
  );
}

/** The header as routes declare it (`headers`), so the document and typed clients know it. */
export function idempotencyKeyHeader(description: string, required = false) {
  const key = z.string().max(MAX_IDEMPOTENCY_KEY_LENGTH).meta({ description });
  return z.object({ 'Idempotency-Key': required ? key : key.optional() });
}
