/**
 * Schemas every area of the API shares: money, timestamps, ids, the error body, the CSV problem, pages.
 * Money is an integer number of minor units (XOF has none): a JSON integer on the wire, a bigint in code, kept
 * below 2^53 by the checks at upload and deposit, so any JSON reader reads it exactly.
 */
import { z } from 'zod';
import { PARTY_ID_TYPES } from '../../domain/partyIdTypes';

const MINOR_UNITS_JSON = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, examples: [517500] } as const;

/** An amount: a bigint in code, a JSON integer on the wire (rendered by stringifyJson). */
export function minorUnits(
  description = 'An amount in minor units of its currency (XOF has none): a JSON integer, below 2^53.',
) {
  return z
    .bigint()
    .nonnegative()
    .meta({ description, override: { ...MINOR_UNITS_JSON } });
}

export const MinorUnits = minorUnits();

export const Timestamp = z.string().meta({ id: 'Timestamp', description: 'ISO 8601, UTC.', format: 'date-time' });
export const Day = z.string().meta({ description: 'A calendar day, YYYY-MM-DD.', format: 'date' });
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .meta({ description: 'ISO 4217 code.', examples: ['XOF'] });
export const Count = z.int().nonnegative();
export const PartyIdType = z.enum(PARTY_ID_TYPES);

export const MAX_ID = 2_147_483_647;

/** A path parameter naming a row by its integer id (or a line by its number); anything else names nothing (404). */
export function idParam() {
  return z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .pipe(z.int().min(1).max(MAX_ID))
    .meta({ override: { type: 'integer', minimum: 1, maximum: MAX_ID } });
}

/** A path parameter naming a bulk: a UUID (anything else names no bulk: 404). */
export const BulkIdParams = z.object({ bulk_id: z.uuid() });
export const BulkLineParams = z.object({ bulk_id: z.uuid(), line_number: idParam() });

/** One problem in an uploaded file: the physical line (header = 1) and the header name of the column. */
const CsvIssue = z
  .object({
    line: z.int().min(1),
    column: z.string().nullable(),
    code: z.string(),
    message: z.string(),
  })
  .meta({
    id: 'CsvIssue',
    description:
      'One problem in an uploaded file: the physical line (header = 1), the column (null when the whole line is wrong).',
  });

export const InvalidFileDetails = z
  .object({
    errors: z.array(CsvIssue).meta({ description: 'In line order; at most BULK_MAX_ERRORS_REPORTED.' }),
    errors_truncated: z
      .literal(true)
      .optional()
      .meta({ description: 'Present when the file has more errors than were reported.' }),
  })
  .meta({ id: 'InvalidFileDetails' });

export const FieldErrors = z.record(z.string(), z.array(z.string())).meta({
  id: 'FieldErrors',
  description: 'Per field of the body, what is wrong with it; `non_field_errors` for the body as a whole.',
});

/** The page of a list: how many there are in all, and which slice this is. */
export function page<Item extends z.ZodType>(item: Item) {
  return z.object({ total: Count, count: Count, limit: Count, offset: Count, results: z.array(item) });
}
