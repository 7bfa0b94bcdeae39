/**
 * The query parameter types the API uses, as zod schemas over the raw strings. Each one says in words what it
 * accepts (`expects`), so a refusal reads "limit doit être un nombre entier de 1 à 200". An empty value counts as
 * absent. The OpenAPI document shows the parameter's real type (integer, date, boolean), not "string".
 */
import { z } from 'zod';
import type { Message } from '../../errors';

const expectations = new WeakMap<z.ZodType, Message>();

/** The parameter's JSON Schema as the document shows it, in place of what zod derives from the raw string. */
function shownAs(jsonSchema: Record<string, unknown>) {
  return {
    override: ({ jsonSchema: derived }: { jsonSchema: Record<string, unknown> }) => {
      const description = derived.description;
      for (const key of Object.keys(derived)) delete derived[key];
      Object.assign(derived, jsonSchema, description === undefined ? {} : { description });
    },
  };
}

/** What a query schema accepts, in words; undefined for a schema not made here. */
export function expectationOf(schema: z.ZodType): Message | undefined {
  return expectations.get(schema);
}

function described<S extends z.ZodType>(schema: S, expects: Message): S {
  expectations.set(schema, expects);
  return schema;
}

const emptyAsAbsent = (value: unknown) => (value === '' ? undefined : value);

export function queryInteger(range: { defaultValue: number; min: number; max: number }) {
  const { defaultValue, min, max } = range;
  const schema = z
    .preprocess(
      emptyAsAbsent,
      z
        .string()
        .regex(/^\d{1,15}$/)
        .transform(Number)
        .pipe(z.number().int().min(min).max(max))
        .optional()
        .transform((value) => value ?? defaultValue),
    )
    .meta(shownAs({ type: 'integer', minimum: min, maximum: max, default: defaultValue }));
  return described(schema, { fr: `un nombre entier de ${min} à ${max}`, en: `a whole number from ${min} to ${max}` });
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is refused). */
function isCalendarDay(text: string): boolean {
  if (!DATE_PATTERN.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

export function queryDate() {
  const schema = z
    .preprocess(emptyAsAbsent, z.string().refine(isCalendarDay).optional())
    .transform((value) => value ?? null)
    .meta(shownAs({ type: 'string', format: 'date' }));
  return described(schema, { fr: 'une date écrite AAAA-MM-JJ', en: 'a date written YYYY-MM-DD' });
}

export function queryBoolean() {
  const schema = z
    .preprocess(emptyAsAbsent, z.enum(['true', 'false', '1', '0']).optional())
    .transform((value) => value === 'true' || value === '1')
    .meta(shownAs({ type: 'boolean', default: false }));
  return described(schema, { fr: 'true ou false', en: 'true or false' });
}

/** One of the values, compared without case; null when absent. */
export function queryChoice<const Values extends readonly [string, ...string[]]>(values: Values) {
  const schema = z
    .preprocess(
      (value) => (typeof value === 'string' ? emptyAsAbsent(value.toUpperCase()) : value),
      z.enum(values).optional(),
    )
    .transform((value) => value ?? null)
    .meta(shownAs({ type: 'string', enum: [...values] }));
  return described(schema, { fr: `l'une des valeurs ${values.join(', ')}`, en: `one of ${values.join(', ')}` });
}

/** Free text, trimmed, at most `maxLength` characters; null when absent. */
export function queryText(maxLength: number) {
  const schema = z
    .preprocess(emptyAsAbsent, z.string().trim().max(maxLength).optional())
    .transform((value) => value ?? null)
    .meta(shownAs({ type: 'string', maxLength }));
  return described(schema, {
    fr: `un texte d'au plus ${maxLength} caractères`,
    en: `a text of at most ${maxLength} characters`,
  });
}

/** An optional id (a positive integer, as Postgres `integer` holds); null when absent. */
export function queryId() {
  const max = 2_147_483_647;
  const schema = z
    .preprocess(
      emptyAsAbsent,
      z
        .string()
        .regex(/^\d{1,10}$/)
        .transform(Number)
        .pipe(z.number().int().min(1).max(max))
        .optional(),
    )
    .transform((value) => value ?? null)
    .meta(shownAs({ type: 'integer', minimum: 1, maximum: max }));
  return described(schema, { fr: `un nombre entier de 1 à ${max}`, en: `a whole number from 1 to ${max}` });
}

/** An optional filter on a yes/no column: null when absent (both kinds match), unlike queryBoolean's default. */
export function queryFlag() {
  const schema = z
    .preprocess(emptyAsAbsent, z.enum(['true', 'false', '1', '0']).optional())
    .transform((value) => (value === undefined ? null : value === 'true' || value === '1'))
    .meta(shownAs({ type: 'boolean' }));
  return described(schema, { fr: 'true ou false', en: 'true or false' });
}
