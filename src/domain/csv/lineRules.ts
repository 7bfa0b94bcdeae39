/**
 * The rules one data line of a pension list must follow. Pure: a line's fields in, the valid payout or every
 * problem found (one per column at most) out. Values are trimmed; type and currency codes are upper-cased.
 */
import { formatMinorUnits, isKnownCurrency, MoneyFormatError, parseMajorUnits } from '../money';
import { isPartyIdType, PARTY_ID_TYPES, type PartyIdType } from '../partyIdTypes';
import type { BulkColumn, CsvIssue } from './bulkCsvFormat';
import type { ColumnIndexes } from './header';

/** The database column holding an identifier is 128 characters wide. */
const MAX_IDENTIFIER_LENGTH = 128;

export interface LineRules {
  /** The currencies the payer may pay in: the chosen account's, or those of the organization's accounts. */
  payerCurrencies: readonly string[];
  /** Minor units. */
  maxAmountPerLine: bigint;
}

export interface ValidLine {
  partyIdType: PartyIdType;
  identifier: string;
  currency: string;
  /** Minor units. */
  amount: bigint;
}

export interface LineCheck {
  /** Null when any column is invalid. */
  line: ValidLine | null;
  issues: CsvIssue[];
  /** The line's currency when it is one the payer may pay in, even if other columns are wrong. */
  currency: string | null;
}

/**
 * Checks one line. `fileCurrency` is the currency of the first line that named a payable one: a file pays
 * in one currency only, from one account.
 */
export function checkLine(
  fields: readonly string[],
  columns: ColumnIndexes,
  lineNumber: number,
  rules: LineRules,
  fileCurrency: string | null,
): LineCheck {
  const issues: CsvIssue[] = [];
  const issue = (column: BulkColumn, code: string, message: string): void => {
    issues.push({ line: lineNumber, column, code, message });
  };
  const value = (column: BulkColumn): string => (fields[columns[column]] ?? '').trim();

  const typeText = value('type_id').toUpperCase();
  const partyIdType = isPartyIdType(typeText) ? typeText : null;
  if (typeText === '') issue('type_id', 'required', 'type_id is empty.');
  else if (!partyIdType) issue('type_id', 'invalid_type_id', `"${value('type_id')}" is not one of ${PARTY_ID_TYPES.join(', ')}.`);

  const identifier = value('valeur_id');
  const identifierProblem = checkIdentifier(partyIdType, identifier);
  if (identifierProblem) issue('valeur_id', identifierProblem.code, identifierProblem.message);

  const currencyCheck = checkCurrency(value('devise').toUpperCase(), rules, fileCurrency);
  if (!currencyCheck.ok) issue('devise', currencyCheck.code, currencyCheck.message);
  const currency = currencyCheck.ok ? currencyCheck.currency : null;

  // Decimals depend on the currency: when the line's is unusable, judge by the file's, or by the form alone.
  const amountCurrency = currency ?? fileCurrency;
  const amountCheck = amountCurrency ? checkAmount(value('montant'), amountCurrency, rules.maxAmountPerLine) : checkAmountForm(value('montant'));
  if (amountCheck !== null && !amountCheck.ok) issue('montant', amountCheck.code, amountCheck.message);

  if (issues.length > 0 || !partyIdType || !currency || amountCheck === null || !amountCheck.ok) return { line: null, issues, currency };
  return { line: { partyIdType, identifier, currency, amount: amountCheck.amount }, issues, currency };
}

type Problem = { code: string; message: string };

const MSISDN_PATTERN = /^[1-9]\d{4,14}$/;
// Deliberately simple: one @, a dot in the domain, no spaces. The payee's provider is the real judge.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const IBAN_PATTERN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
// C0 and C1 control characters, DEL included: Unicode's Cc category, exactly U+0000-U+001F and U+007F-U+009F.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Null when the identifier is acceptable for its type (or when the type itself is unknown: reported apart). */
export function checkIdentifier(partyIdType: PartyIdType | null, identifier: string): Problem | null {
  if (identifier === '') return { code: 'required', message: 'valeur_id is empty.' };
  if (CONTROL_CHARACTER.test(identifier)) return { code: 'invalid_identifier', message: 'valeur_id contains control characters.' };
  if (identifier.length > MAX_IDENTIFIER_LENGTH) {
    return { code: 'invalid_identifier', message: `valeur_id is longer than ${MAX_IDENTIFIER_LENGTH} characters.` };
  }
  switch (partyIdType) {
    case 'MSISDN':
      return MSISDN_PATTERN.test(identifier)
        ? null
        : {
            code: 'invalid_msisdn',
            message: `"${identifier}" is not a phone number in international form: 5 to 15 digits, no "+", no leading 0 (e.g. 22997000001).`,
          };
    case 'EMAIL':
      return EMAIL_PATTERN.test(identifier) ? null : { code: 'invalid_email', message: `"${identifier}" is not an email address.` };
    case 'IBAN':
      return IBAN_PATTERN.test(identifier)
        ? null
        : {
            code: 'invalid_iban',
            message: `"${identifier}" is not an IBAN: 15 to 34 letters and digits without spaces, starting with a country code and 2 digits.`,
          };
    default:
      return null;
  }
}

type CurrencyCheck = { ok: true; currency: string } | { ok: false; code: string; message: string };

export function checkCurrency(currency: string, rules: LineRules, fileCurrency: string | null): CurrencyCheck {
  if (currency === '') return { ok: false, code: 'required', message: 'devise is empty.' };
  if (!isKnownCurrency(currency)) return { ok: false, code: 'unknown_currency', message: `"${currency}" is not a supported ISO 4217 currency code.` };
  if (!rules.payerCurrencies.includes(currency)) {
    return {
      ok: false,
      code: 'currency_mismatch',
      message: `The payer account is in ${rules.payerCurrencies.join(' or ') || 'no currency'}, not ${currency}.`,
    };
  }
  if (fileCurrency !== null && currency !== fileCurrency) {
    return { ok: false, code: 'mixed_currencies', message: `The file pays in ${fileCurrency}; a line in ${currency} cannot be in the same file.` };
  }
  return { ok: true, currency };
}

type AmountCheck = { ok: true; amount: bigint } | { ok: false; code: string; message: string };

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** A positive amount in major units ("1500", "12.50") of `currency`, as minor units, within the per-line limit. */
export function checkAmount(text: string, currency: string, maxAmount: bigint): AmountCheck {
  const formProblem = checkAmountForm(text);
  if (formProblem) return formProblem;
  let amount: bigint;
  try {
    amount = parseMajorUnits(text, currency);
  } catch (error) {
    if (error instanceof MoneyFormatError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
  if (amount <= 0n) return { ok: false, code: 'amount_not_positive', message: 'montant must be greater than zero.' };
  if (amount > maxAmount) {
    return { ok: false, code: 'amount_above_limit', message: `montant is above the limit of ${formatMinorUnits(maxAmount, currency)} ${currency} per line.` };
  }
  return { ok: true, amount };
}

/** Null when the text has the form of an amount; what is wrong otherwise. Decimals are judged with the currency. */
function checkAmountForm(text: string): { ok: false; code: string; message: string } | null {
  if (text === '') return { ok: false, code: 'required', message: 'montant is empty.' };
  if (PLAIN_DECIMAL.test(text)) return null;
  return {
    ok: false,
    code: 'invalid_amount',
    message: `"${text}" is not an amount: digits only, with a dot for decimals (no sign, spaces or thousands separators).`,
  };
}
