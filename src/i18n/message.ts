/**
 * Human text in the two languages the fund's staff read. A Message is built where the problem is known (an
 * error, a CSV line issue) and only turned into one language when answered, by `localize`.
 */

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Message {
  fr: string;
  en: string;
}

/** Exactly a Message: an object with the two string keys `fr` and `en` and nothing else. */
export function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const { fr, en } = value as Record<string, unknown>;
  return keys.length === 2 && typeof fr === 'string' && typeof en === 'string';
}

/** `value` with every Message in it, however deep, replaced by its text in `language`; the rest as it is. */
export function localize(value: unknown, language: Language): unknown {
  if (isMessage(value)) return value[language];
  if (Array.isArray(value)) return value.map((item) => localize(item, language));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, localize(item, language)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** One Message's text in `language`. */
export function textIn(message: Message, language: Language): string {
  return message[language];
}
