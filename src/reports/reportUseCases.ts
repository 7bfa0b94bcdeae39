/**
 * The reconciliation report of a bulk, as the download routes give it: one line per transfer, in file order, with
 * what Mojaloop did. Streamed: rows are read a page at a time (./transferPages.ts) and written as the client takes
 * them, so a 100,000-line bulk costs one page of memory. Gestionnaires and superviseurs of the bulk's organization
 * may download it; any other bulk is "not found".
 */
import { Readable } from 'node:stream';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { readableBulk } from '../payouts/bulkReadUseCases';
import type { RequestScope } from '../requests/requestScope';
import { csvReportChunks } from './csv';
import { jsonReportChunks } from './json';
import { reportPages } from './transferPages';

export interface ReportDownload {
  fileName: string;
  content: Readable;
}

export async function csvReport(scope: RequestScope, user: AuthenticatedUser, bulkId: string): Promise<ReportDownload> {
  const bulk = await readableBulk(scope, user, bulkId);
  return {
    fileName: `bulk-${bulk.bulk_id}-report.csv`,
    content: Readable.from(csvReportChunks(reportPages(scope.db, bulk.bulk_id))),
  };
}

export async function jsonReport(
  scope: RequestScope,
  user: AuthenticatedUser,
  bulkId: string,
): Promise<ReportDownload> {
  const bulk = await readableBulk(scope, user, bulkId);
  const header = { bulk_id: bulk.bulk_id, generated_at: new Date().toISOString() };
  return {
    fileName: `bulk-${bulk.bulk_id}-report.json`,
    content: Readable.from(jsonReportChunks(header, reportPages(scope.db, bulk.bulk_id))),
  };
}
