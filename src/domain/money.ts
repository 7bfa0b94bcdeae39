/**
 * Money is an integer number of minor units (bigint), with the currency's ISO 4217 exponent.
 * Mojaloop carries amounts as major-unit decimal strings ("1500", "12.5"); these functions are the only
 * place the two meet, and neither direction ever goes through a float.
 */
import type { Message } from '../i18n/message';

/** ISO 4217 minor-unit exponents for the currencies we accept. */
const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  XOF: 0,
  XAF: 0,
  GNF: 0,
  RWF: 0,
  UGX: 0,
  KMF: 0,
  JPY: 0,
  KRW: 0,
  USD: 2,
  EUR: 2,
  GBP: 2,
  NGN: 2,
  GHS: 2,
  KES: 2,
  TZS: 2,
  ZAR: 2,
  MAD: 2,
  ZMW: 2,
  MWK: 2,
  CDF: 2,
  SLE: 2,
  LRD: 2,
  CHF: 2,
  CAD: 2,
  INR: 2,
  CNY: 2,
  EGP: 2,
  ETB: 2,
  MGA: 2,
  MZN: 2,
  XDR: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  TND: 3,
  JOD: 3,
  LYD: 3,
  IQD: 3,
};

/** Built like the API's errors (src/errors): a code, then the message in both languages (`message` is the English). */
export class MoneyFormatError extends Error {
  constructor(
    readonly code: 'invalid_amount' | 'too_many_decimals' | 'unknown_currency' | 'amount_not_positive',
    readonly localized: Message,
  ) {
    super(localized.en);
    this.name = 'MoneyFormatError';
  }
}

export function isKnownCurrency(currency: string): boolean {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, currency);
}

export function currencyExponent(currency: string): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined)
    throw new MoneyFormatError('unknown_currency', {
      fr: `Devise inconnue ${currency}`,
      en: `Unknown currency ${currency}`,
    });
  return exponent;
}

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

/** "1500" XOF -> 1500n; "12.50" USD -> 1250n. Refuses signs, exponents, separators and excess decimals. */
export function parseMajorUnits(text: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  const match = DECIMAL_PATTERN.exec(text);
  if (!match)
    throw new MoneyFormatError('invalid_amount', {
      fr: `"${text}" n'est pas un montant décimal simple`,
      en: `"${text}" is not a plain decimal amount`,
    });
  const [, whole = '', fraction = ''] = match;
  const significantFraction = fraction.replace(/0+$/, '');
  if (significantFraction.length > exponent) {
    throw new MoneyFormatError(
      'too_many_decimals',
      exponent === 0
        ? { fr: `Les montants en ${currency} n'ont pas de décimales`, en: `${currency} amounts have no decimals` }
        : {
            fr: `Les montants en ${currency} ont au plus ${exponent} décimales`,
            en: `${currency} amounts have at most ${exponent} decimals`,
          },
    );
  }
  return BigInt(whole) * 10n ** BigInt(exponent) + BigInt(significantFraction.padEnd(exponent, '0') || '0');
}

/** 1250n USD -> "12.50"; 1500n XOF -> "1500". The form Mojaloop expects. */
export function formatMinorUnits(amount: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString();
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Sums minor-unit amounts held as decimal strings (how Postgres bigint arrives). */
export function sumMinorUnits(amounts: Iterable<string | bigint>): bigint {
  let total = 0n;
  for (const amount of amounts) total += BigInt(amount);
  return total;
}
