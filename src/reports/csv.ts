/**
 * The reconciliation report as CSV (RFC 4180), written page by page so a 100,000-line bulk never sits in memory.
 * Every cell goes through neutraliseFormula: payee names come from other institutions and failure messages from
 * the switch, and a spreadsheet would run a cell such as `=HYPERLINK(...)` as a formula.
 */
import { REPORT_COLUMNS, ReportRow } from './reportRow';

/**
 * Byte order mark: Excel reads a CSV without it as the local ANSI code page and mangles accented names
 * ("Adjoa Kpétémé"); with it, Excel knows the file is UTF-8. Other tools ignore it.
 */
export const UTF8_BOM = '\uFEFF';

/** RFC 4180 records end with CRLF. */
const RECORD_SEPARATOR = '\r\n';

/** Characters that make a spreadsheet treat a cell as a formula (tab and CR too: some apps strip them first). */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * Prefixes a single quote to a cell a spreadsheet would evaluate, so it shows as text. CSV only: the JSON report
 * carries the exact values. Amounts are never negative, so no number is altered by this.
 */
export function neutraliseFormula(cell: string): string {
  return cell.length > 0 && FORMULA_TRIGGERS.has(cell[0]!) ? `'${cell}` : cell;
}

/** Quotes a field when it holds a comma, a quote or a line break; quotes inside are doubled. */
export function quoteCsvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function csvCell(value: string | number | bigint | null): string {
  if (value === null) return '';
  return quoteCsvField(neutraliseFormula(String(value)));
}

export function csvHeader(): string {
  return csvHeaderOf(REPORT_COLUMNS);
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

export function csvHeaderOf(columns: readonly string[]): string {
  return columns.map(csvCell).join(',') + RECORD_SEPARATOR;
}

export function csvRecordOf<Column extends string>(columns: readonly Column[], row: Readonly<Record<Column, CsvValue>>): string {
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
