/**
 * The rules one data line of a pension list must follow. Pure: a line's fields in, the valid payout or every
 * problem found (one per column at most) out. Values are trimmed; type and currency codes are upper-cased.
 */
import type { Message } from '../../../i18n/message';
import { formatMinorUnits, isKnownCurrency, MoneyFormatError, parseMajorUnits } from '../../../domain/money';
import { isPartyIdType, PARTY_ID_TYPES, type PartyIdType } from '../../../domain/partyIdTypes';
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
  /** The `nom` column: the name the wallet's owner must have (the payee name check); null when absent or empty. */
  expectedName: string | null;
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
  const issue = (column: BulkColumn, code: string, message: Message): void => {
    issues.push({ line: lineNumber, column, code, message });
  };
  const value = (column: BulkColumn): string => {
    const index = columns[column];
    return index === null ? '' : (fields[index] ?? '').trim();
  };

  const typeText = value('type_id').toUpperCase();
  const partyIdType = isPartyIdType(typeText) ? typeText : null;
  if (typeText === '') issue('type_id', 'required', emptyColumn('type_id'));
  else if (!partyIdType) issue('type_id', 'invalid_type_id', notOneOf(value('type_id'), PARTY_ID_TYPES));

  const identifier = value('valeur_id');
  const identifierProblem = checkIdentifier(partyIdType, identifier);
  if (identifierProblem) issue('valeur_id', identifierProblem.code, identifierProblem.message);

  const currencyCheck = checkCurrency(value('devise').toUpperCase(), rules, fileCurrency);
  if (!currencyCheck.ok) issue('devise', currencyCheck.code, currencyCheck.message);
  const currency = currencyCheck.ok ? currencyCheck.currency : null;

  // Decimals depend on the currency: when the line's is unusable, judge by the file's, or by the form alone.
  const amountCurrency = currency ?? fileCurrency;
  const amountCheck = amountCurrency
    ? checkAmount(value('montant'), amountCurrency, rules.maxAmountPerLine)
    : checkAmountForm(value('montant'));
  if (amountCheck !== null && !amountCheck.ok) issue('montant', amountCheck.code, amountCheck.message);

  const expectedName = value('nom').replace(/\s+/g, ' ');
  const nameProblem = checkExpectedName(expectedName);
  if (nameProblem) issue('nom', nameProblem.code, nameProblem.message);

  if (issues.length > 0 || !partyIdType || !currency || amountCheck === null || !amountCheck.ok)
    return { line: null, issues, currency };
  return {
    line: { partyIdType, identifier, currency, amount: amountCheck.amount, expectedName: expectedName || null },
    issues,
    currency,
  };
}

/** The database column holding the expected name is 200 characters wide, as the roll's full_name. */
const MAX_NAME_LENGTH = 200;

function checkExpectedName(name: string): Problem | null {
  if (CONTROL_CHARACTER.test(name)) {
    return {
      code: 'invalid_name',
      message: { fr: 'nom contient des caractères de contrôle.', en: 'nom contains control characters.' },
    };
  }
  if (name.length > MAX_NAME_LENGTH) {
    return {
      code: 'too_long',
      message: {
        fr: `nom dépasse ${MAX_NAME_LENGTH} caractères.`,
        en: `nom is longer than ${MAX_NAME_LENGTH} characters.`,
      },
    };
  }
  return null;
}

type Problem = { code: string; message: Message };

/** "type_id is empty." */
export function emptyColumn(column: string): Message {
  return { fr: `${column} est vide.`, en: `${column} is empty.` };
}

/** '"XYZ" is not one of MSISDN, EMAIL, IBAN.' */
export function notOneOf(text: string, allowed: readonly string[]): Message {
  return {
    fr: `"${text}" n'est pas l'une des valeurs autorisées : ${allowed.join(', ')}.`,
    en: `"${text}" is not one of ${allowed.join(', ')}.`,
  };
}

const MSISDN_PATTERN = /^[1-9]\d{4,14}$/;
// Deliberately simple: one @, a dot in the domain, no spaces. The payee's provider is the real judge.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const IBAN_PATTERN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
// C0 and C1 control characters, DEL included: Unicode's Cc category, exactly U+0000-U+001F and U+007F-U+009F.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Null when the identifier is acceptable for its type (or when the type itself is unknown: reported apart). */
export function checkIdentifier(partyIdType: PartyIdType | null, identifier: string): Problem | null {
  if (identifier === '') return { code: 'required', message: emptyColumn('valeur_id') };
  if (CONTROL_CHARACTER.test(identifier)) {
    return {
      code: 'invalid_identifier',
      message: { fr: 'valeur_id contient des caractères de contrôle.', en: 'valeur_id contains control characters.' },
    };
  }
  if (identifier.length > MAX_IDENTIFIER_LENGTH) {
    return {
      code: 'invalid_identifier',
      message: {
        fr: `valeur_id dépasse ${MAX_IDENTIFIER_LENGTH} caractères.`,
        en: `valeur_id is longer than ${MAX_IDENTIFIER_LENGTH} characters.`,
      },
    };
  }
  switch (partyIdType) {
    case 'MSISDN':
      return MSISDN_PATTERN.test(identifier)
        ? null
        : {
            code: 'invalid_msisdn',
            message: {
              fr: `"${identifier}" n'est pas un numéro de téléphone au format international : 5 à 15 chiffres, sans "+", sans 0 initial (par exemple 22997000001).`,
              en: `"${identifier}" is not a phone number in international form: 5 to 15 digits, no "+", no leading 0 (e.g. 22997000001).`,
            },
          };
    case 'EMAIL':
      return EMAIL_PATTERN.test(identifier)
        ? null
        : {
            code: 'invalid_email',
            message: {
              fr: `"${identifier}" n'est pas une adresse e-mail.`,
              en: `"${identifier}" is not an email address.`,
            },
          };
    case 'IBAN':
      return IBAN_PATTERN.test(identifier)
        ? null
        : {
            code: 'invalid_iban',
            message: {
              fr: `"${identifier}" n'est pas un IBAN : 15 à 34 lettres et chiffres sans espaces, commençant par un code pays et 2 chiffres.`,
              en: `"${identifier}" is not an IBAN: 15 to 34 letters and digits without spaces, starting with a country code and 2 digits.`,
            },
          };
    default:
      return null;
  }
}

type CurrencyCheck = { ok: true; currency: string } | { ok: false; code: string; message: Message };

export function checkCurrency(currency: string, rules: LineRules, fileCurrency: string | null): CurrencyCheck {
  if (currency === '') return { ok: false, code: 'required', message: emptyColumn('devise') };
  if (!isKnownCurrency(currency)) {
    return {
      ok: false,
      code: 'unknown_currency',
      message: {
        fr: `"${currency}" n'est pas un code de devise ISO 4217 pris en charge.`,
        en: `"${currency}" is not a supported ISO 4217 currency code.`,
      },
    };
  }
  if (!rules.payerCurrencies.includes(currency)) {
    return {
      ok: false,
      code: 'currency_mismatch',
      message: {
        fr: `Le compte payeur est en ${rules.payerCurrencies.join(' ou ') || 'aucune devise'}, pas en ${currency}.`,
        en: `The payer account is in ${rules.payerCurrencies.join(' or ') || 'no currency'}, not ${currency}.`,
      },
    };
  }
  if (fileCurrency !== null && currency !== fileCurrency) {
    return {
      ok: false,
      code: 'mixed_currencies',
      message: {
        fr: `Le fichier paie en ${fileCurrency} ; une ligne en ${currency} ne peut pas figurer dans le même fichier.`,
        en: `The file pays in ${fileCurrency}; a line in ${currency} cannot be in the same file.`,
      },
    };
  }
  return { ok: true, currency };
}

type AmountCheck = { ok: true; amount: bigint } | { ok: false; code: string; message: Message };

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A positive amount in major units ("1500", "12.50") of `currency`, as minor units, within the per-line limit.
 * `column` names the amount's column in the messages (`montant`, or the roll's `montant_mensuel`).
 */
export function checkAmount(text: string, currency: string, maxAmount: bigint, column = 'montant'): AmountCheck {
  const formProblem = checkAmountForm(text, column);
  if (formProblem) return formProblem;
  let amount: bigint;
  try {
    amount = parseMajorUnits(text, currency);
  } catch (error) {
    if (error instanceof MoneyFormatError) return { ok: false, code: error.code, message: error.localized };
    throw error;
  }
  if (amount <= 0n) {
    return {
      ok: false,
      code: 'amount_not_positive',
      message: { fr: `${column} doit être supérieur à zéro.`, en: `${column} must be greater than zero.` },
    };
  }
  if (amount > maxAmount) {
    const limit = `${formatMinorUnits(maxAmount, currency)} ${currency}`;
    return {
      ok: false,
      code: 'amount_above_limit',
      message: {
        fr: `${column} dépasse la limite de ${limit} par ligne.`,
        en: `${column} is above the limit of ${limit} per line.`,
      },
    };
  }
  return { ok: true, amount };
}

/** Null when the text has the form of an amount; what is wrong otherwise. Decimals are judged with the currency. */
function checkAmountForm(text: string, column = 'montant'): { ok: false; code: string; message: Message } | null {
  if (text === '') return { ok: false, code: 'required', message: emptyColumn(column) };
  if (PLAIN_DECIMAL.test(text)) return null;
  return {
    ok: false,
    code: 'invalid_amount',
    message: {
      fr: `"${text}" n'est pas un montant : chiffres uniquement, avec un point pour les décimales (sans signe, espaces ni séparateurs de milliers).`,
      en: `"${text}" is not an amount: digits only, with a dot for decimals (no sign, spaces or thousands separators).`,
    },
  };
}
