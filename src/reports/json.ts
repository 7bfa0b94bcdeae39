/**
 * The reconciliation report as one JSON document `{bulk_id, generated_at, transfers: [...]}`, written page by page:
 * the opening, each page of transfers, then the closing brackets. Values are exact (no formula neutralisation:
 * that is a spreadsheet concern); amounts are integer strings of minor units.
 */
import { REPORT_COLUMNS, type ReportRow } from './reportRow';

export interface JsonReportHeader {
  bulk_id: string;
  /** ISO 8601, UTC. */
  generated_at: string;
}

/** Serialises with the keys in report column order, whatever order the row was built in. */
function jsonRecord(row: ReportRow): string {
  const ordered: Record<string, unknown> = {};
  for (const column of REPORT_COLUMNS) ordered[column] = row[column];
  return JSON.stringify(ordered);
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
