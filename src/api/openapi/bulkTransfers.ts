/**
 * /api/bulk-transfers: the upload (src/api/routes/bulkTransfers.ts), the reads that follow a bulk, and its
 * reconciliation reports (src/api/routes/bulkReports.ts).
 */
import { PARTY_ID_TYPES } from '../../domain/partyIdTypes';
import { BULK_STATES, TRANSFER_STATUSES } from '../../models';
import {
  arrayOf,
  BEARER,
  COUNT,
  CURRENCY,
  DAY,
  errorResponse,
  fileTooLarge,
  jsonResponse,
  MINOR_UNITS,
  multipartCsvFile,
  notMultipart,
  nullable,
  object,
  pageOf,
  pageParameters,
  ref,
  refusedFile,
  responses,
  TIMESTAMP,
  UUID,
} from './components';
import type { ApiArea, OperationObject, ParameterObject, ResponseObject, SchemaObject } from './types';

const TAG = 'bulk transfers';
const REPORTS_TAG = 'reports';
const READERS_RULE = 'A GESTIONNAIRE or SUPERVISEUR of an organization may read its bulks.';

const bulkState: SchemaObject = { type: 'string', enum: BULK_STATES };
const transferStatus: SchemaObject = { type: 'string', enum: TRANSFER_STATUSES };
const percent: SchemaObject = { type: 'number', minimum: 0, maximum: 100, description: 'Two decimals.' };

const bulkIdParameter: ParameterObject = {
  name: 'bulk_id',
  in: 'path',
  required: true,
  description: 'The bulk, as answered by the upload (`bulkTransferId`). Anything else, or another organization\'s bulk, is 404.',
  schema: UUID,
};

const schemas: Record<string, SchemaObject> = {
  CsvWarning: object({
    line: { type: 'integer', minimum: 1 },
    code: { const: 'duplicate_line' },
    message: { type: 'string' },
    duplicate_of_line: { type: 'integer', minimum: 1 },
  }, 'Not an error: a line paying the same payee the same amount as an earlier line.'),
  BulkAccepted: {
    type: 'object',
    required: ['bulkTransferId', 'state', 'transfers_count', 'total_amount', 'currency', 'warnings'],
    properties: {
      bulkTransferId: UUID,
      state: { const: 'PENDING' },
      transfers_count: { type: 'integer', minimum: 1 },
      total_amount: MINOR_UNITS,
      currency: CURRENCY,
      warnings: arrayOf(ref('CsvWarning')),
      warnings_truncated: { const: true, description: 'Present when there were more warnings than reported.' },
    },
  },
  BulkHistoryEntry: object({
    bulk_id: UUID,
    payer_account: { type: 'string', description: 'The account_id paid from.' },
    total_amount: MINOR_UNITS,
    currency: CURRENCY,
    state: bulkState,
    created_at: TIMESTAMP,
    completed_at: nullable(TIMESTAMP),
    transfers_count: COUNT,
    completed_count: COUNT,
    failed_count: COUNT,
    file_name: nullable({ type: 'string' }),
  }),
  TransferDetail: object({
    transfer_id: { ...UUID, description: 'Ours; also the idempotency key sent to Mojaloop (homeTransactionId).' },
    line_number: { type: 'integer', minimum: 1, description: 'The line in the uploaded file (header = 1).' },
    payee_party_id_type: { type: 'string', enum: PARTY_ID_TYPES },
    payee_party_identifier: { type: 'string' },
    payee_name: nullable({ type: 'string', description: 'As the payee FSP reported it during discovery.' }),
    payee_fsp_id: nullable({ type: 'string' }),
    amount: MINOR_UNITS,
    currency: CURRENCY,
    fee_amount: nullable(MINOR_UNITS),
    status: transferStatus,
    mojaloop_transfer_id: nullable({ type: 'string' }),
    failure_code: nullable({ type: 'string' }),
    failure_message: nullable({ type: 'string' }),
    completed_at: nullable(TIMESTAMP),
  }),
  BulkStatistics: object({
    total: COUNT,
    completed: COUNT,
    failed: COUNT,
    pending: COUNT,
    processing: COUNT,
    success_rate: { ...percent, description: 'Percent of the lines paid, two decimals.' },
  }),
  BulkDetails: object({
    bulk_id: UUID,
    payer_account: { type: 'string' },
    organization: object({ code: { type: 'string' }, name: { type: 'string' } }),
    state: bulkState,
    total_amount: MINOR_UNITS,
    currency: CURRENCY,
    created_at: TIMESTAMP,
    completed_at: nullable(TIMESTAMP),
    failure_reason: nullable({ type: 'string' }),
    statistics: ref('BulkStatistics'),
    individual_transfers: arrayOf(ref('TransferDetail'), 'A page of the lines, in file order.'),
    individual_transfers_count: { ...COUNT, description: 'All lines of the bulk.' },
    limit: { type: 'integer', minimum: 1 },
    offset: COUNT,
  }),
  TransferStatusEntry: object({
    transfer_id: UUID,
    line_number: { type: 'integer', minimum: 1 },
    status: transferStatus,
    failure_code: nullable({ type: 'string' }),
  }),
  BulkStatus: object({
    bulkTransferId: UUID,
    state: bulkState,
    total: COUNT,
    completed: COUNT,
    failed: COUNT,
    pending: COUNT,
    processing: COUNT,
    progress_percent: { ...percent, description: 'Percent of the lines finished (paid or failed).' },
    source: {
      type: 'string',
      enum: ['workflow', 'database'],
      description: 'Where the counts come from: the running workflow (live), or the database when it has closed, is unknown or slow.',
    },
    individualTransfers: arrayOf(ref('TransferStatusEntry'), 'The first `limit` lines, in file order.'),
  }),
  ReportRow: {
    ...object({
      line_number: { type: 'integer', minimum: 1 },
      transfer_id: UUID,
      mojaloop_transfer_id: nullable({ type: 'string' }),
      payee_party_id_type: { type: 'string' },
      payee_party_identifier: { type: 'string' },
      payee_name: nullable({ type: 'string' }),
      payee_fsp_id: nullable({ type: 'string' }),
      amount: MINOR_UNITS,
      fee_amount: nullable(MINOR_UNITS),
      currency: CURRENCY,
      status: transferStatus,
      failure_code: nullable({ type: 'string' }),
      failure_message: nullable({ type: 'string' }),
      completed_at: nullable(TIMESTAMP),
    }),
    additionalProperties: false,
    description: 'One line of the reconciliation report; the CSV report has these columns, in this order.',
  },
  ReconciliationReport: object({
    bulk_id: UUID,
    generated_at: TIMESTAMP,
    transfers: arrayOf(ref('ReportRow'), 'Every line of the bulk, in file order.'),
  }),
};

const readerErrors: Record<string, ResponseObject> = {
  '401': responses.unauthorized,
  '403': responses.forbidden(READERS_RULE),
};

function reportOperation(operationId: string, summary: string, content: ResponseObject['content']): OperationObject {
  return {
    operationId,
    tags: [REPORTS_TAG],
    summary,
    description: 'Streamed as an attachment (`Content-Disposition`), never cached (`Cache-Control: no-store`).',
    security: BEARER,
    parameters: [bulkIdParameter],
    responses: {
      '200': {
        description: 'The report, one entry per line of the bulk in file order.',
        headers: { 'Content-Disposition': { description: 'attachment; filename="bulk-<bulk_id>-report.<ext>"', schema: { type: 'string' } } },
        content,
      },
      ...readerErrors,
      '404': responses.notFound,
    },
  };
}

export const bulkTransfersArea: ApiArea = {
  tag: { name: TAG, description: 'Uploading a pension list and following its payout.' },
  schemas,
  paths: {
    '/api/bulk-transfers': {
      post: {
        operationId: 'uploadBulkTransfer',
        tags: [TAG],
        summary: 'Upload a pension list (CSV) to pay',
        description:
          'The file `type_id,valeur_id,devise,montant` (any column order and case, `,` or `;`) is checked line by line. ' +
          'Only a fully valid file is stored: in one transaction its total is reserved on the payer account and every line ' +
          'stored, then the payout workflow is started. Any refusal changes nothing.\n\n' +
          'Retries: send an `Idempotency-Key`; a retry with the same key and the same file answers the first answer again ' +
          '(with `Idempotent-Replayed: true`), and starts the payout if it had not started (after a 503).',
        security: BEARER,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            description: 'Makes retries safe: one bulk per key and organization. Recommended.',
            schema: { type: 'string', minLength: 1, maxLength: 255 },
          },
          {
            name: 'allow_duplicate',
            in: 'query',
            description: 'Pay a file already uploaded again (otherwise 409 `duplicate_file`). `true`/`1` or `false`/`0`.',
            schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
          },
          {
            name: 'payer_account',
            in: 'query',
            description: "The account_id to pay from; by default the organization's oldest account in the file's currency.",
            schema: { type: 'string' },
          },
        ],
        requestBody: multipartCsvFile('One CSV file in the form field `file`, at most BULK_MAX_BYTES.'),
        responses: {
          '202': jsonResponse('Accepted: stored, total reserved, payout started.', ref('BulkAccepted'), {
            'Idempotent-Replayed': { description: '`true` when this answers an earlier upload with the same Idempotency-Key.', schema: { const: 'true' } },
          }),
          '400': refusedFile(
            { codes: ['invalid_payer_account', 'invalid_idempotency_key', 'invalid_filter'], details: ref('FieldName') },
          ),
          '401': responses.unauthorized,
          '403': responses.forbidden('Only a GESTIONNAIRE of an active organization may upload.', ['organization_inactive']),
          '409': errorResponse('This file was already uploaded (and its bulk did not fail); add `?allow_duplicate=true` to pay it again.', {
            codes: ['duplicate_file'],
            details: object({ bulkTransferId: UUID, state: bulkState, created_at: TIMESTAMP }),
          }),
          '413': fileTooLarge,
          '415': notMultipart,
          '422': errorResponse(
            'Valid, but cannot be paid: `insufficient_funds` (available below the total), `no_payer_account`, or ' +
              '`idempotency_key_reused` (the key was used for another file).',
            {
              codes: ['insufficient_funds'],
              details: object({ available: MINOR_UNITS, required: MINOR_UNITS, currency: CURRENCY }),
            },
            { codes: ['idempotency_key_reused'], details: object({ bulkTransferId: UUID }) },
            { codes: ['no_payer_account'] },
          ),
          '503': errorResponse(
            'Stored and reserved, but the payout workflow could not be started (Temporal unreachable). Retry with the same ' +
              'Idempotency-Key, or wait: the worker starts pending bulks itself.',
            { codes: ['workflow_start_failed'], details: object({ bulkTransferId: UUID }) },
          ),
        },
      },
    },
    '/api/bulk-transfers/history': {
      get: {
        operationId: 'listBulkTransfers',
        tags: [TAG],
        summary: "The organization's bulks, newest first",
        security: BEARER,
        parameters: [
          { name: 'state', in: 'query', description: 'Case-insensitive.', schema: bulkState },
          { name: 'start_date', in: 'query', description: 'Created on or after this day (UTC).', schema: DAY },
          { name: 'end_date', in: 'query', description: 'Created on or before this day (UTC); not before start_date.', schema: DAY },
          ...pageParameters({ defaultValue: 50, max: 200 }),
        ],
        responses: {
          '200': jsonResponse('A page of bulks.', pageOf(ref('BulkHistoryEntry'))),
          '400': responses.invalidFilter,
          ...readerErrors,
        },
      },
    },
    '/api/bulk-transfers/{bulk_id}/details': {
      get: {
        operationId: 'getBulkTransferDetails',
        tags: [TAG],
        summary: 'A bulk with its statistics and a page of its lines',
        security: BEARER,
        parameters: [bulkIdParameter, ...pageParameters({ defaultValue: 100, max: 1000 })],
        responses: {
          '200': jsonResponse('The bulk.', ref('BulkDetails')),
          '400': responses.invalidFilter,
          ...readerErrors,
          '404': responses.notFound,
        },
      },
    },
    '/api/bulk-transfers/{bulk_id}/status': {
      get: {
        operationId: 'getBulkTransferStatus',
        tags: [TAG],
        summary: "A bulk's progress",
        description: 'While the bulk runs, the counts come from its workflow (live) when it answers within 2 s; otherwise from the database.',
        security: BEARER,
        parameters: [
          bulkIdParameter,
          { name: 'limit', in: 'query', description: 'Lines listed in `individualTransfers`.', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': jsonResponse('The progress.', ref('BulkStatus')),
          '400': responses.invalidFilter,
          ...readerErrors,
          '404': responses.notFound,
        },
      },
    },
    '/api/bulk-transfers/{bulk_id}/report.csv': {
      get: reportOperation('getBulkReportCsv', 'Reconciliation report (CSV)', {
        'text/csv': { schema: { type: 'string', description: 'A header row, then one row per line; columns as ReportRow.' } },
      }),
    },
    '/api/bulk-transfers/{bulk_id}/report.json': {
      get: reportOperation('getBulkReportJson', 'Reconciliation report (JSON)', {
        'application/json': { schema: ref('ReconciliationReport') },
      }),
    },
  },
};

export const reportsTag = { name: REPORTS_TAG, description: 'What Mojaloop did with each line of a bulk, to reconcile.' };
