/**
 * Request bodies are checked with zod; a refusal is a 400 naming each wrong field, in the request's language:
 * zod's own French or English messages (its locales, given per parse), and ours for the rules we add.
 */
import { z } from 'zod';
import { MESSAGES, ValidationError } from '../../errors';
import { isMessage, type Language, type Message } from '../../i18n/message';

const LOCALE_ERRORS: Record<Language, z.core.$ZodErrorMap> = {
  fr: z.locales.fr().localeError,
  en: z.locales.en().localeError,
};

/**
 * A rule of ours with its message in both languages, for any check: `.refine(isTimeZone, ruleMessage({fr, en}))`,
 * `.regex(pattern, ruleMessage(…))`. A message written in the schema itself would win over the language chosen
 * per parse, so it travels in the check's params instead.
 */
export function ruleMessage(message: Message): { abort: false; params: { message: Message } } {
  // `abort: false` is zod's default; having a key of the checks' own options makes this fit every check's type.
  return { abort: false, params: { message } };
}

export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  language: Language,
): z.infer<Schema> {
  const result = schema.safeParse(body ?? {}, { error: (issue) => messageOf(issue, language) });
  if (result.success) return result.data;
  const { formErrors, fieldErrors } = z.flattenError(result.error);
  const details: Record<string, string[]> = { ...(fieldErrors as Record<string, string[]>) };
  if (formErrors.length > 0) details.non_field_errors = formErrors;
  throw new ValidationError('validation_error', MESSAGES.invalidInput, details);
}

function messageOf(issue: z.core.$ZodRawIssue, language: Language): ReturnType<z.core.$ZodErrorMap> {
  const ours = paramsOf(issue)?.message;
  if (isMessage(ours)) return ours[language];
  return LOCALE_ERRORS[language](issue);
}

/** A refinement's params are on its issue; another check's (regex, min, ...) on its definition. */
function paramsOf(issue: z.core.$ZodRawIssue): { message?: unknown } | undefined {
  const carried = issue as {
    params?: { message?: unknown };
    inst?: { _zod?: { def?: { params?: { message?: unknown } } } };
  };
  return carried.params ?? carried.inst?._zod?.def?.params;
}
