/**
 * The reconciliation report as one JSON document `{bulk_id, generated_at, transfers: [...]}`, written page by page:
 * the opening, each page of transfers, then the closing brackets. Values are exact (no formula neutralisation:
 * that is a spreadsheet concern); amounts are JSON integers of minor units, as in every JSON answer of the API.
 */
import { REPORT_COLUMNS, type ReportColumn, type ReportRow } from './reportRow';

export interface JsonReportHeader {
  bulk_id: string;
  /** ISO 8601, UTC. */
  generated_at: string;
}

const MONEY_COLUMNS: ReadonlySet<ReportColumn> = new Set(['amount', 'fee_amount']);

/** Serialises with the keys in report column order, whatever order the row was built in. */
function jsonRecord(row: ReportRow): string {
  const members = REPORT_COLUMNS.map((column) => `${JSON.stringify(column)}:${jsonValue(column, row[column])}`);
  return `{${members.join(',')}}`;
}

function jsonValue(column: ReportColumn, value: ReportRow[ReportColumn]): string {
  if (!MONEY_COLUMNS.has(column) || value === null) return JSON.stringify(value);
  // The digits as they are: exact at any size, where a JavaScript number would round past 2^53.
  const digits = String(value);
  if (!/^\d+$/.test(digits)) throw new Error(`report: ${column} is not an integer of minor units (${digits})`);
  return digits;
}

export async function* jsonReportChunks(
  header: JsonReportHeader,
  pages: AsyncIterable<readonly ReportRow[]>,
): AsyncGenerator<string> {
  yield `{"bulk_id":${JSON.stringify(header.bulk_id)},"generated_at":${JSON.stringify(header.generated_at)},"transfers":[`;
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield (first ? '' : ',') + page.map(jsonRecord).join(',');
    first = false;
  }
  yield ']}';
}
