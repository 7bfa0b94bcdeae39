/**
 * The reconciliation report as CSV (RFC 4180), written page by page so a 100,000-line bulk never sits in memory.
 * Every cell goes through neutraliseFormula: payee names come from other institutions and failure messages from
 * the switch, and a spreadsheet would run a cell such as `=HYPERLINK(...)` as a formula. French spreadsheets
 * often open a CSV splitting on `;` (others on tab or `|`, and some tools split on `,` ignoring quotes), so a formula
 * hidden after a separator inside a cell (`X;=cmd|' /C calc'!A0`, `Awa\t=HYPERLINK(...)`) is neutralised too, and
 * a cell holding any of them is quoted.
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
 * at the start of ours, or after anything a spreadsheet's import or a naive splitter may take for a cell or record
 * boundary (`;`, `,`, tab, `|`, a line break). Tab and CR are both boundary and trigger, so the place is found by
 * lookarounds, not by consuming characters: `;` + tab + `=` needs a quote before the tab and another before the `=`.
 */
const FORMULA_AT_CELL_START = /(?<=^|[;,\t|\r\n])(?=[=+\-@\t\r])/g;

/**
 * Prefixes a single quote to every place a spreadsheet could start evaluating a formula, so it shows as text.
 * CSV only: the JSON report carries the exact values. Amounts are never negative, so no number is altered by this.
 */
export function neutraliseFormula(cell: string): string {
  return cell.replace(FORMULA_AT_CELL_START, "'");
}

/**
 * Quotes a field when it holds our separator (`,`), one a spreadsheet's import may split on (`;` in French locales,
 * tab, `|`), a quote or a line break; quotes inside are doubled. Quoted, the cell stays whole in a spreadsheet that
 * splits on any of them.
 */
export function quoteCsvField(field: string): string {
  return /[",;\t|\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
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
