/**
 * The pension list file as the fund sends it: a header `type_id,valeur_id,devise,montant` (any order, any case),
 * then one payee per line. What a problem with the file looks like when we report it back.
 */

export const BULK_COLUMNS = ['type_id', 'valeur_id', 'devise', 'montant'] as const;
export type BulkColumn = (typeof BULK_COLUMNS)[number];

/** One problem in the file, where the fund can find it: the physical line (header = 1) and the header column. */
export interface CsvIssue {
  line: number;
  /** The header name of the offending column; null when the problem is the whole line (e.g. wrong field count). */
  column: BulkColumn | null;
  code: string;
  message: string;
}

/** Not an error: a line paying the same payee the same amount as an earlier line (often a copy-paste slip). */
export interface CsvWarning {
  line: number;
  code: 'duplicate_line';
  message: string;
  duplicate_of_line: number;
}
