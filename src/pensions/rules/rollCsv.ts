/**
 * The pension roll file: a header `type_id,valeur_id,nom_complet,devise,montant_mensuel` plus, optionally,
 * `statut,derniere_preuve_de_vie,date_debut,date_fin` (any order, any case, `,` or `;`), then one beneficiary
 * per line. Pure: the file's bytes in, the beneficiaries or every problem (line and column) out. Party
 * identifiers, currencies and amounts are judged by the same rules as a bulk upload (src/payouts/rules/csv/lineRules).
 *
 * An optional column that is absent, or a cell left empty, means "not given": a new beneficiary gets the default
 * (ACTIVE, no dates), an existing one keeps what it has.
 */
import { type CsvError, parse } from 'csv-parse/sync';
import type { Message } from '../../i18n/message';
import { detectDelimiter, headerProblemParts } from '../../payouts/rules/csv/header';
import {
  checkAmount,
  checkCurrency,
  checkIdentifier,
  emptyColumn,
  type LineRules,
  notOneOf,
} from '../../payouts/rules/csv/lineRules';
import { EMPTY_FILE, malformedLine, NOT_UTF8, wrongColumnCount } from '../../payouts/rules/csv/bulkCsvFormat';
import { isPartyIdType, PARTY_ID_TYPES, type PartyIdType } from '../../domain/partyIdTypes';
import { BENEFICIARY_STATUSES, type BeneficiaryStatus, isBeneficiaryStatus } from './pensionEligibility';
import { isCalendarDate } from './pensionPeriod';

export const ROLL_REQUIRED_COLUMNS = ['type_id', 'valeur_id', 'nom_complet', 'devise', 'montant_mensuel'] as const;
export const ROLL_OPTIONAL_COLUMNS = ['statut', 'derniere_preuve_de_vie', 'date_debut', 'date_fin'] as const;
const ROLL_COLUMNS = [...ROLL_REQUIRED_COLUMNS, ...ROLL_OPTIONAL_COLUMNS] as const;
export type RollColumn = (typeof ROLL_COLUMNS)[number];

const MAX_FULL_NAME_LENGTH = 200;

export interface RollIssue {
  line: number;
  column: RollColumn | null;
  code: string;
  message: Message;
}

export interface RollEntry {
  line: number;
  partyIdType: PartyIdType;
  identifier: string;
  fullName: string;
  currency: string;
  /** Minor units. */
  monthlyAmount: bigint;
  /** Undefined: not given in the file. */
  status?: BeneficiaryStatus;
  lastProofOfLife?: string;
  startDate?: string;
  endDate?: string;
}

export interface RollCsvOptions extends LineRules {
  maxRows: number;
  maxErrorsReported: number;
  /** YYYY-MM-DD, in the organization's time zone: a proof of life cannot be dated after it. */
  today: string;
}

export type RollCsvFailureCode =
  'empty_file' | 'invalid_encoding' | 'invalid_header' | 'no_rows' | 'too_many_rows' | 'invalid_file';

export type RollCsvResult =
  | { ok: true; entries: RollEntry[] }
  | { ok: false; failure: { code: RollCsvFailureCode; message: Message; details?: Record<string, unknown> } };

type Columns = Partial<Record<RollColumn, number>>;

export function readPensionRollCsv(bytes: Buffer, options: RollCsvOptions): RollCsvResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return failure('invalid_encoding', NOT_UTF8);
  }
  if (text.includes('\u0000')) return failure('invalid_encoding', NOT_UTF8);
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim() === '') return failure('empty_file', EMPTY_FILE);

  const delimiter = detectDelimiter(text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')));
  // A broken quote is reported with its line, after the problems of the lines before it.
  const malformed: RollIssue[] = [];
  const records = parse(text, {
    delimiter,
    trim: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error && malformed.length === 0) {
        const line = typeof error.lines === 'number' ? error.lines : 1;
        malformed.push({ line, column: null, code: 'malformed_csv', message: malformedLine(error.message) });
      }
      return undefined;
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;

  // A line of empty fields (a spreadsheet's trailing ",,,,") is blank, like an empty line.
  const [header, ...rows] = records.filter(({ record }) => record.some((field) => field !== ''));
  if (header === undefined) return failure('empty_file', EMPTY_FILE);
  const columns = parseRollHeader(header.record);
  if (!columns.ok) {
    return failure('invalid_header', columns.message, {
      line: header.info.lines,
      expected: [...ROLL_REQUIRED_COLUMNS],
      optional: [...ROLL_OPTIONAL_COLUMNS],
    });
  }
  if (rows.length === 0)
    return failure('no_rows', {
      fr: 'Le fichier a un en-tête mais aucun bénéficiaire.',
      en: 'The file has a header but no beneficiaries.',
    });
  if (rows.length > options.maxRows) {
    const { maxRows } = options;
    return failure(
      'too_many_rows',
      { fr: `Le fichier a plus de ${maxRows} bénéficiaires.`, en: `The file has more than ${maxRows} beneficiaries.` },
      { max_rows: maxRows },
    );
  }

  const entries: RollEntry[] = [];
  const issues: RollIssue[] = [];
  const firstLineOfParty = new Map<string, number>();
  for (const { record, info } of rows) {
    if (issues.length >= options.maxErrorsReported)
      return invalidFile(issues.slice(0, options.maxErrorsReported), true);
    const line = info.lines;
    if (record.length !== header.record.length) {
      issues.push({
        line,
        column: null,
        code: 'wrong_column_count',
        message: wrongColumnCount(header.record.length, delimiter, record.length),
      });
      continue;
    }
    const check = checkRollLine(record, columns.columns, line, options);
    issues.push(...check.issues);
    if (!check.entry) continue;
    const partyKey = `${check.entry.partyIdType}\u0000${check.entry.identifier}`;
    const earlier = firstLineOfParty.get(partyKey);
    if (earlier !== undefined) {
      issues.push({
        line,
        column: 'valeur_id',
        code: 'duplicate_beneficiary',
        message: {
          fr: `Ce bénéficiaire figure déjà à la ligne ${earlier}.`,
          en: `This beneficiary is already on line ${earlier}.`,
        },
      });
      continue;
    }
    firstLineOfParty.set(partyKey, line);
    entries.push(check.entry);
  }
  issues.push(...malformed);
  if (issues.length > 0)
    return invalidFile(issues.slice(0, options.maxErrorsReported), issues.length > options.maxErrorsReported);
  return { ok: true, entries };
}

function failure(code: RollCsvFailureCode, message: Message, details?: Record<string, unknown>): RollCsvResult {
  return { ok: false, failure: details === undefined ? { code, message } : { code, message, details } };
}

function invalidFile(errors: RollIssue[], truncated: boolean): RollCsvResult {
  const details: Record<string, unknown> = { errors: [...errors].sort((a, b) => a.line - b.line) };
  if (truncated) details.errors_truncated = true;
  return failure(
    'invalid_file',
    {
      fr: "Le fichier contient des erreurs ; rien n'a été modifié. Corrigez-les et importez-le de nouveau.",
      en: 'The file has errors; nothing was changed. Correct them and import it again.',
    },
    details,
  );
}

type HeaderCheck = { ok: true; columns: Columns } | { ok: false; message: Message };

function parseRollHeader(fields: readonly string[]): HeaderCheck {
  const columns: Columns = {};
  const unknown: string[] = [];
  const repeated: string[] = [];
  fields.forEach((field, index) => {
    const name = field.trim().toLowerCase();
    if (!(ROLL_COLUMNS as readonly string[]).includes(name)) unknown.push(field.trim());
    else if (columns[name as RollColumn] !== undefined) repeated.push(name);
    else columns[name as RollColumn] = index;
  });
  const missing = ROLL_REQUIRED_COLUMNS.filter((column) => columns[column] === undefined);
  if (missing.length === 0 && unknown.length === 0 && repeated.length === 0) return { ok: true, columns };
  const parts = headerProblemParts({ missing, unknown, duplicated: repeated });
  const required = ROLL_REQUIRED_COLUMNS.join(',');
  const optional = ROLL_OPTIONAL_COLUMNS.join(',');
  return {
    ok: false,
    message: {
      fr: `La première ligne doit être l'en-tête ${required} (éventuellement ${optional}) ; ${parts.fr}.`,
      en: `The first line must be the header ${required} (optionally ${optional}); ${parts.en}.`,
    },
  };
}

// C0 and C1 control characters, DEL included (Unicode's Cc category).
const CONTROL_CHARACTER = /\p{Cc}/u;

function checkRollLine(
  fields: readonly string[],
  columns: Columns,
  line: number,
  options: RollCsvOptions,
): { entry: RollEntry | null; issues: RollIssue[] } {
  const issues: RollIssue[] = [];
  const issue = (column: RollColumn, code: string, message: Message): void => {
    issues.push({ line, column, code, message });
  };
  const value = (column: RollColumn): string => {
    const index = columns[column];
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };

  const typeText = value('type_id').toUpperCase();
  const partyIdType = isPartyIdType(typeText) ? typeText : null;
  if (typeText === '') issue('type_id', 'required', emptyColumn('type_id'));
  else if (!partyIdType) issue('type_id', 'invalid_type_id', notOneOf(value('type_id'), PARTY_ID_TYPES));

  const identifier = value('valeur_id');
  const identifierProblem = checkIdentifier(partyIdType, identifier);
  if (identifierProblem) issue('valeur_id', identifierProblem.code, identifierProblem.message);

  const fullName = value('nom_complet').replace(/\s+/g, ' ');
  if (fullName === '') issue('nom_complet', 'required', emptyColumn('nom_complet'));
  else if (fullName.length > MAX_FULL_NAME_LENGTH) {
    issue('nom_complet', 'too_long', {
      fr: `nom_complet dépasse ${MAX_FULL_NAME_LENGTH} caractères.`,
      en: `nom_complet is longer than ${MAX_FULL_NAME_LENGTH} characters.`,
    });
  } else if (CONTROL_CHARACTER.test(fullName)) {
    issue('nom_complet', 'invalid_name', {
      fr: 'nom_complet contient des caractères de contrôle.',
      en: 'nom_complet contains control characters.',
    });
  }

  // A roll may list pensions in several currencies; each must be one the organization can pay in.
  const currencyCheck = checkCurrency(value('devise').toUpperCase(), options, null);
  if (!currencyCheck.ok) issue('devise', currencyCheck.code, currencyCheck.message);

  let monthlyAmount: bigint | null = null;
  if (currencyCheck.ok) {
    const amountCheck = checkAmount(
      value('montant_mensuel'),
      currencyCheck.currency,
      options.maxAmountPerLine,
      'montant_mensuel',
    );
    if (amountCheck.ok) monthlyAmount = amountCheck.amount;
    else issue('montant_mensuel', amountCheck.code, amountCheck.message);
  }

  const statusText = value('statut').toUpperCase();
  const status = statusText === '' ? undefined : isBeneficiaryStatus(statusText) ? statusText : null;
  if (status === null) issue('statut', 'invalid_status', notOneOf(value('statut'), BENEFICIARY_STATUSES));

  const dateOf = (column: RollColumn): string | undefined | null => {
    const text = value(column);
    if (text === '') return undefined;
    if (isCalendarDate(text)) return text;
    issue(column, 'invalid_date', {
      fr: `"${text}" n'est pas une date au format AAAA-MM-JJ.`,
      en: `"${text}" is not a date written YYYY-MM-DD.`,
    });
    return null;
  };
  const lastProofOfLife = dateOf('derniere_preuve_de_vie');
  if (lastProofOfLife && lastProofOfLife > options.today) {
    issue('derniere_preuve_de_vie', 'date_in_future', {
      fr: `La preuve de vie ${lastProofOfLife} est datée après aujourd'hui (${options.today}).`,
      en: `The proof of life ${lastProofOfLife} is dated after today (${options.today}).`,
    });
  }
  const startDate = dateOf('date_debut');
  const endDate = dateOf('date_fin');
  if (startDate && endDate && endDate < startDate) {
    issue('date_fin', 'end_before_start', {
      fr: `date_fin ${endDate} est antérieure à date_debut ${startDate}.`,
      en: `date_fin ${endDate} is before date_debut ${startDate}.`,
    });
  }

  if (issues.length > 0 || !partyIdType || !currencyCheck.ok || monthlyAmount === null) return { entry: null, issues };
  const entry: RollEntry = { line, partyIdType, identifier, fullName, currency: currencyCheck.currency, monthlyAmount };
  if (status) entry.status = status;
  if (lastProofOfLife) entry.lastProofOfLife = lastProofOfLife;
  if (startDate) entry.startDate = startDate;
  if (endDate) entry.endDate = endDate;
  return { entry, issues };
}
