/**
 * The reconciliation report of a bulk: one line per transfer, in file order, with what Mojaloop did.
 * Streamed: rows are read a page at a time (src/reports/transferPages.ts) and written as the client takes them,
 * so a 100,000-line bulk costs one page of memory. Gestionnaires and superviseurs of the bulk's organization
 * may download it; any other bulk is "not found".
 */
import { isUuid } from '../../domain/ids';
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { db } from '../../db/knex';
import { MESSAGES, NotFoundError } from '../../errors';
import { BulkTransfer } from '../../models/BulkTransfer';
import { csvReportChunks } from '../../reports/csv';
import { jsonReportChunks } from '../../reports/json';
import { reportPages } from '../../reports/transferPages';
import type { AppDependencies } from '../app';
import { authenticate } from '../middleware/authenticate';
import { CanReadOrganization, assertSameOrganization, currentUser } from '../middleware/permissions';


export function bulkReportsRouter(deps: AppDependencies): Router {
  const router = new Router();
  const readers = [authenticate(deps.config), CanReadOrganization];

  router.get('/api/bulk-transfers/:bulk_id/report.csv', ...readers, async (ctx) => {
    const bulk = await readableBulk(ctx, ctx.params.bulk_id);
    sendAsDownload(ctx, `bulk-${bulk.bulk_id}-report.csv`, 'text/csv; charset=utf-8');
    ctx.body = Readable.from(csvReportChunks(reportPages(db(), bulk.bulk_id)));
  });

  router.get('/api/bulk-transfers/:bulk_id/report.json', ...readers, async (ctx) => {
    const bulk = await readableBulk(ctx, ctx.params.bulk_id);
    sendAsDownload(ctx, `bulk-${bulk.bulk_id}-report.json`, 'application/json; charset=utf-8');
    const header = { bulk_id: bulk.bulk_id, generated_at: new Date().toISOString() };
    ctx.body = Readable.from(jsonReportChunks(header, reportPages(db(), bulk.bulk_id)));
  });

  return router;
}

/** The bulk if the caller's organization owns it; a malformed id, a missing bulk and another's bulk all 404. */
async function readableBulk(ctx: Context, bulkId: string | undefined): Promise<BulkTransfer> {
  if (bulkId === undefined || !isUuid(bulkId)) throw new NotFoundError('not_found', MESSAGES.notFound);
  const bulk = await BulkTransfer.query(db()).findById(bulkId);
  if (!bulk) throw new NotFoundError('not_found', MESSAGES.notFound);
  assertSameOrganization(currentUser(ctx), bulk.organization_id);
  return bulk;
}

export function sendAsDownload(ctx: Context, fileName: string, contentType: string): void {
  ctx.set('Content-Disposition', `attachment; filename="${fileName}"`);
  // Names and phone numbers of pensioners: no shared cache may keep a copy.
  ctx.set('Cache-Control', 'no-store');
  // Set before the body, or Koa would label the stream application/octet-stream.
  ctx.type = contentType;
}
