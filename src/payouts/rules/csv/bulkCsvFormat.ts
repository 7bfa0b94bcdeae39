/**
 * The pension list file as the fund sends it: a header `type_id,valeur_id,devise,montant` (any order, any case),
 * optionally a fifth column `nom` (the pensioner's name, checked against the wallet owner's), then one payee per
 * line. What a problem with the file looks like when we report it back.
 */
import type { Message } from '../../../i18n/message';

export const BULK_COLUMNS = ['type_id', 'valeur_id', 'devise', 'montant'] as const;
/** Columns a file may add; the seed's four-column file stays valid as it is. */
export const OPTIONAL_BULK_COLUMNS = ['nom'] as const;
export type RequiredBulkColumn = (typeof BULK_COLUMNS)[number];
export type BulkColumn = RequiredBulkColumn | (typeof OPTIONAL_BULK_COLUMNS)[number];

/** One problem in the file, where the fund can find it: the physical line (header = 1) and the header column. */
export interface CsvIssue {
  line: number;
  /** The header name of the offending column; null when the problem is the whole line (e.g. wrong field count). */
  column: BulkColumn | null;
  code: string;
  message: Message;
}

/** Not an error: a line paying the same payee the same amount as an earlier line (often a copy-paste slip). */
export interface CsvWarning {
  line: number;
  code: 'duplicate_line';
  message: Message;
  duplicate_of_line: number;
}

/** File-level problems, shared by the pension list and the pension roll readers. */
export const NOT_UTF8: Message = {
  fr: "Le fichier n'est pas du texte UTF-8 (enregistrez-le en « CSV UTF-8 »).",
  en: 'The file is not UTF-8 text (save it as "CSV UTF-8").',
};
export const EMPTY_FILE: Message = { fr: 'Le fichier est vide.', en: 'The file is empty.' };

/** A line csv-parse could not read (an unclosed quote...): its own explanation, in English, in parentheses. */
export function malformedLine(detail: string): Message {
  return { fr: `La ligne n'est pas du CSV valide (${detail}).`, en: `The line is not valid CSV (${detail}).` };
}

/** A line with more or fewer fields than the header. */
export function wrongColumnCount(expected: number, delimiter: string, found: number): Message {
  return {
    fr: `Attendu : ${expected} champs séparés par « ${delimiter} » ; trouvé : ${found}.`,
    en: `Expected ${expected} fields separated by "${delimiter}", found ${found}.`,
  };
}
