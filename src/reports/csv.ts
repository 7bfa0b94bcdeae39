/**
 * The reconciliation report as CSV (RFC 4180), written page by page so a 100,000-line bulk never sits in memory.
 * Every cell goes through neutraliseFormula: payee names come from other institutions and failure messages from
 * the switch, and a spreadsheet would run a cell such as `=HYPERLINK(...)` as a formula. French spreadsheets
 * often open a CSV splitting on `;` (and some tools split on `,` ignoring quotes), so a formula hidden after a
 * separator inside a cell (`X;=cmd|' /C calc'!A0`) is neutralised too, and a cell holding either is quoted.
 */
import { REPORT_COLUMNS, type ReportRow } from './reportRow';

/**
 * Byte order mark: Excel reads a CSV without it as the local ANSI code page and mangles accented names
 * ("Adjoa Kpétémé"); with it, Excel knows the file is UTF-8. Other tools ignore it.
 */
export const UTF8_BOM = '\uFEFF';

/** RFC 4180 records end with CRLF. */
const RECORD_SEPARATOR = '\r\n';

/**
 * A formula trigger (= + - @, and tab and CR: some apps strip them first) where a spreadsheet may start a cell:
 * at the start of ours, or after anything a spreadsheet or a naive splitter may take for a cell or record
 * boundary (`;`, `,`, a line break).
 */
const FORMULA_AT_CELL_START = /(^|[;,\r\n])([=+\-@\t\r])/g;

/**
 * Prefixes a single quote to every place a spreadsheet could start evaluating a formula, so it shows as text.
 * CSV only: the JSON report carries the exact values. Amounts are never negative, so no number is altered by this.
 */
export function neutraliseFormula(cell: string): string {
  return cell.replace(FORMULA_AT_CELL_START, "$1'$2");
}

/**
 * Quotes a field when it holds our separator (`,`), the one spreadsheets in French locales use (`;`), a quote or a
 * line break; quotes inside are doubled. Quoting `;` keeps the cell whole in a spreadsheet that splits on it.
 */
export function quoteCsvField(field: string): string {
  return /[",;\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function csvCell(value: string | number | bigint | null): string {
  if (value === null) return '';
  return quoteCsvField(neutraliseFormula(String(value)));
}

export function csvRecord(row: ReportRow): string {
  return csvRecordOf(REPORT_COLUMNS, row);
}

/** BOM and header first, then one chunk per page of rows. */
export function csvReportChunks(pages: AsyncIterable<readonly ReportRow[]>): AsyncGenerator<string> {
  return csvChunks(REPORT_COLUMNS, pages);
}

// Any table of cells, e.g. an account statement: the same quoting, formula neutralising and BOM as the report.

type CsvValue = string | number | bigint | null;

function csvHeaderOf(columns: readonly string[]): string {
  return columns.map(csvCell).join(',') + RECORD_SEPARATOR;
}

function csvRecordOf<Column extends string>(
  columns: readonly Column[],
  row: Readonly<Record<Column, CsvValue>>,
): string {
  return columns.map((column) => csvCell(row[column])).join(',') + RECORD_SEPARATOR;
}

export async function* csvChunks<Column extends string>(
  columns: readonly Column[],
  pages: AsyncIterable<ReadonlyArray<Readonly<Record<Column, CsvValue>>>>,
): AsyncGenerator<string> {
  yield UTF8_BOM + csvHeaderOf(columns);
  for await (const page of pages) {
    if (page.length > 0) yield page.map((row) => csvRecordOf(columns, row)).join('');
  }
}
