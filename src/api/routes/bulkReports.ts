/**
 * /api/bulk-transfers/:bulk_id/report.csv and report.json: a bulk's reconciliation report as a download
 * (src/reports/reportUseCases.ts), for the gestionnaires and superviseurs of its organization. Each entry has
 * the columns of ReportRow (src/api/schemas/reports.ts), in that order.
 */
import { csvReport, jsonReport, type ReportDownload } from '../../reports/reportUseCases';
import { CSV, downloadHeaders, JSON_FILE } from '../http/downloads';
import { CanReadOrganization } from '../http/guards';
import { defineRoute } from '../http/routeDefinition';
import type { z } from 'zod';
import { BulkIdParams } from '../schemas/common';
import { ReconciliationReport } from '../schemas/reports';

const tag = 'reports';
const description = 'Streamed as an attachment (`Content-Disposition`), never cached (`Cache-Control: no-store`).';

function downloadAnswer(contentType: string, extension: string, documentedAs?: z.ZodType) {
  return {
    description: 'The report, one entry per line of the bulk in file order.',
    contentType,
    ...(documentedAs ? { documentedAs } : {}),
    headers: {
      'Content-Disposition': {
        description: `attachment; filename="bulk-<bulk_id>-report.${extension}"`,
        required: true,
      },
      'Cache-Control': { description: 'no-store', required: true },
    },
  };
}

function download(report: ReportDownload) {
  return { status: 200 as const, body: report.content, headers: downloadHeaders(report.fileName) };
}

const csv = defineRoute({
  method: 'get',
  path: '/api/bulk-transfers/:bulk_id/report.csv',
  operationId: 'getBulkReportCsv',
  tag,
  summary: 'Reconciliation report (CSV)',
  description: `${description} UTF-8 with a BOM; a header row, then one row per line; columns as ReportRow.`,
  access: { kind: 'user', guards: [CanReadOrganization] },
  params: BulkIdParams,
  answers: { 200: downloadAnswer(CSV, 'csv') },
  handler: async ({ scope, user, params }) => download(await csvReport(scope, user, params.bulk_id)),
});

const json = defineRoute({
  method: 'get',
  path: '/api/bulk-transfers/:bulk_id/report.json',
  operationId: 'getBulkReportJson',
  tag,
  summary: 'Reconciliation report (JSON)',
  description: `${description} A ReconciliationReport: amounts are JSON integers of minor units.`,
  access: { kind: 'user', guards: [CanReadOrganization] },
  params: BulkIdParams,
  answers: { 200: downloadAnswer(JSON_FILE, 'json', ReconciliationReport) },
  handler: async ({ scope, user, params }) => download(await jsonReport(scope, user, params.bulk_id)),
});

export const bulkReportRoutes = [csv, json];
