/** Request bodies are checked with zod; a refusal is a 400 naming each wrong field. */
import { z } from 'zod';
import { ValidationError } from '../errors';

export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const { formErrors, fieldErrors } = z.flattenError(result.error);
  const details: Record<string, string[]> = { ...(fieldErrors as Record<string, string[]>) };
  if (formErrors.length > 0) details.non_field_errors = formErrors;
  throw new ValidationError('Invalid input.', details);
}
