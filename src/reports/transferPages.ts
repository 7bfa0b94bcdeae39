/**
 * Reads a bulk's transfers for its report, in line order, one keyset page at a time (line_number > last seen,
 * served by the unique index on (bulk_id, line_number)). Pages rather than one cursor: a connection goes back
 * to the pool between pages, so a client downloading slowly never holds one for minutes, and the next page is
 * only read when the response has taken the previous one (the caller pulls through a Readable, which respects
 * backpressure). Each row is read as it is at that moment: a report of a bulk still running is a snapshot
 * that later pages may see further along.
 */
import type { Knex } from 'knex';
import { REPORT_COLUMNS, type ReportRow, toReportRow, type TransferRecord } from './reportRow';

const REPORT_PAGE_SIZE = 2000;

export async function* reportPages(
  knex: Knex,
  bulkId: string,
  pageSize: number = REPORT_PAGE_SIZE,
): AsyncGenerator<ReportRow[]> {
  let afterLine: number | null = null;
  for (;;) {
    const query = knex('individual_transfers')
      .select<TransferRecord[]>([...REPORT_COLUMNS])
      .where('bulk_id', bulkId)
      .orderBy('line_number', 'asc')
      .limit(pageSize);
    if (afterLine !== null) query.andWhere('line_number', '>', afterLine);
    const records = await query;
    if (records.length === 0) return;
    yield records.map(toReportRow);
    if (records.length < pageSize) return;
    afterLine = records[records.length - 1]!.line_number;
  }
}
