/**
 * How the console writes amounts and dates: with the language's grouping (fr-FR groups thousands with a narrow
 * no-break space: `1 250 000 XOF`), in the currency's own minor units, and dates in the fund's time zone whatever
 * the browser's. Amounts are exact: minor units are turned into digits with BigInt, never through a float.
 */
import type { MinorUnits } from './api/client';
import type { Language } from './i18n';

/** The fund's time zone (CNSS Bénin). The API will tell it when it becomes a setting; this is its default. */
export const FUND_TIME_ZONE = 'Africa/Porto-Novo';

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

function localeOf(language: Language): string {
  return LOCALES[language];
}

/** `1 250 000 XOF` (fr) or `1,250,000 XOF` (en); a value that is not a whole number (never from the API) is shown as it came. */
export function formatAmount(minor: MinorUnits | bigint, currency: string, language: Language): string {
  const text = String(minor);
  if (!/^-?\d+$/.test(text)) return `${text} ${currency}`;
  const value = BigInt(text);
  const digits = fractionDigits(currency);
  const unit = 10n ** BigInt(digits);
  const magnitude = value < 0n ? -value : value;
  const numbers = new Intl.NumberFormat(localeOf(language), { useGrouping: true });
  let written = numbers.format(magnitude / unit);
  if (digits > 0) {
    const separator = numbers.formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.';
    written += separator + (magnitude % unit).toString().padStart(digits, '0');
  }
  return `${value < 0n ? '-' : ''}${written}\u00a0${currency}`;
}

/** XOF has none, EUR two: as ISO 4217 says, through the browser's own table. */
function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}

export function formatCount(count: number, language: Language): string {
  return new Intl.NumberFormat(localeOf(language)).format(count);
}

/** A moment (ISO 8601) as the fund's clock showed it. */
export function formatDateTime(iso: string | null | undefined, language: Language): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(localeOf(language), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: FUND_TIME_ZONE,
  }).format(date);
}

/** A calendar day (YYYY-MM-DD), which has no time zone: written as it is, in the language's words. */
export function formatDay(day: string | null | undefined, language: Language): string {
  if (!day) return '—';
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** A period (YYYY-MM) as `novembre 2026`. */
export function formatPeriod(period: string, language: Language): string {
  const date = new Date(`${period}-15T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return period;
  return new Intl.DateTimeFormat(localeOf(language), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Today in the fund's time zone, YYYY-MM-DD (en-CA writes days that way). */
export function todayInFund(): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: FUND_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}
