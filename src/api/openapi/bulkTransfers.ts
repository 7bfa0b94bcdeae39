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
  jsonRequestBody,
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
import type { ErrorVariant } from './components';

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
    attempt: { type: 'integer', minimum: 1, description: 'Above 1 once retry-failed paid the line again (a new homeTransactionId each time).' },
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
    cancelled: { ...COUNT, description: 'Lines not sent because the bulk was cancelled (counted in `failed` too, code `cancelled`).' },
    success_rate: { ...percent, description: 'Percent of the lines paid, two decimals.' },
  }),
  UserRef: object({ id: { type: 'integer' }, email: { type: 'string' } }),
  BulkApproval: object({
    required: { type: 'boolean', description: 'Whether this bulk had to be approved (its organization requires approval).' },
    deadline: nullable({ ...TIMESTAMP, description: 'Past it, an unapproved bulk ends FAILED and its funds are released.' }),
    approved_by: nullable(ref('UserRef')),
    approved_at: nullable(TIMESTAMP),
    rejected_by: nullable(ref('UserRef')),
    rejected_at: nullable(TIMESTAMP),
    rejection_reason: nullable({ type: 'string' }),
  }, 'Maker-checker: who approved or rejected the bulk, and when.'),
  BulkCancellation: object({
    cancelled_at: TIMESTAMP,
    cancelled_by: nullable(ref('UserRef')),
    cancelled_by_operator: nullable({ type: 'string', description: 'The operator named in a cancel sent from the Temporal Web UI or CLI.' }),
    cancelled_transfers: COUNT,
  }, 'Present once the bulk was cancelled: the lines not yet sent were not sent (FAILED `cancelled`).'),
  RejectRequest: {
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: { reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Shown in the bulk\'s failure reason.' } },
  },
  ApprovalDecision: object({
    bulkTransferId: UUID,
    state: bulkState,
    failure_reason: nullable({ type: 'string' }),
    approval: ref('BulkApproval'),
  }),
  BulkCancelled: object({
    bulkTransferId: UUID,
    cancelled_transfers: { ...COUNT, description: 'Lines that will not be sent.' },
    released_amount: { ...MINOR_UNITS, description: 'Given back to the payer account (available again).' },
    currency: CURRENCY,
  }),
  BulkRetried: object({
    bulkTransferId: UUID,
    state: { const: 'PROCESSING' },
    retried_transfers: { ...COUNT, description: 'Failed lines sent again, each as a new attempt.' },
    reserved_amount: { ...MINOR_UNITS, description: 'Reserved again on the payer account for them.' },
    currency: CURRENCY,
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
    created_by: nullable(ref('UserRef')),
    approval: ref('BulkApproval'),
    cancellation: nullable(ref('BulkCancellation')),
    retry_count: { ...COUNT, description: 'How many times retry-failed sent failed lines again.' },
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

const APPROVERS_RULE = 'A GESTIONNAIRE or staff user of the organization may approve or reject.';
const ACTORS_RULE = 'Only a GESTIONNAIRE of the organization may do this.';

function bulkAction(operation: Omit<OperationObject, 'tags' | 'security'>): OperationObject {
  return { tags: [TAG], security: BEARER, ...operation, parameters: [bulkIdParameter, ...(operation.parameters ?? [])] };
}

const stateConflict = (codes: string[]): ErrorVariant => ({ codes, details: object({ state: bulkState }) });

const approvalResponses: Record<string, ResponseObject> = {
  '401': responses.unauthorized,
  // organization_inactive: deactivated after the caller authenticated; the workflow's own check refuses the decision.
  '403': responses.forbidden(APPROVERS_RULE, ['approver_not_allowed', 'organization_inactive']),
  '404': responses.notFound,
  '409': errorResponse(
    'The bulk is not awaiting approval (`not_awaiting_approval`: decided already, or its organization does not require ' +
      'approval), or the caller created it (`approval_by_creator`: another user must decide).',
    stateConflict(['not_awaiting_approval']),
    { codes: ['not_awaiting_approval', 'approval_by_creator'] },
  ),
  '503': errorResponse('The payout engine (Temporal) is unreachable, or the bulk\'s workflow is not running yet; try again shortly.', {
    codes: ['temporal_unavailable', 'workflow_not_running'],
  }),
};

/** The routes acting on a bulk (src/api/routes/bulkTransfers.ts registerBulkActions). */
const bulkActionPaths: ApiArea['paths'] = {
  '/api/bulk-transfers/{bulk_id}/approve': {
    post: bulkAction({
      operationId: 'approveBulkTransfer',
      summary: 'Approve a bulk awaiting approval (maker-checker)',
      description:
        'For organizations with `requires_approval`: a new bulk (uploaded or built by the monthly run) waits in ' +
        '`AWAITING_APPROVAL` until a second user approves it, then is paid. Its creator may not approve it. ' +
        'Without a decision by the deadline (BULK_APPROVAL_TIMEOUT_HOURS) it ends FAILED and its funds are released.',
      responses: { '200': jsonResponse('Approved: the bulk is being paid.', ref('ApprovalDecision')), ...approvalResponses },
    }),
  },
  '/api/bulk-transfers/{bulk_id}/reject': {
    post: bulkAction({
      operationId: 'rejectBulkTransfer',
      summary: 'Reject a bulk awaiting approval',
      description: 'Nothing is sent; the reservation is released; the bulk ends FAILED with the reason (lines FAILED `approval_rejected`).',
      requestBody: jsonRequestBody(ref('RejectRequest')),
      responses: {
        '200': jsonResponse('Rejected: the bulk has ended FAILED.', ref('ApprovalDecision')),
        '400': responses.invalidJsonBody,
        ...approvalResponses,
        '413': responses.jsonBodyTooLarge,
      },
    }),
  },
  '/api/bulk-transfers/{bulk_id}/cancel': {
    post: bulkAction({
      operationId: 'cancelBulkTransfer',
      summary: 'Cancel the rest of a bulk',
      description:
        'Lines not sent yet are not sent: they end FAILED with code `cancelled` and their reservation is released at once. ' +
        'Lines already in flight finish (paid or failed). The bulk then ends as usual: COMPLETED if any line was paid, ' +
        'FAILED otherwise (its reason says it was cancelled); `cancellation` and `statistics.cancelled` in the details tell ' +
        'what was cancelled, by whom and when. Cancelling again answers the same counts.',
      responses: {
        '202': jsonResponse('Cancelled: in-flight lines are finishing.', ref('BulkCancelled')),
        '401': responses.unauthorized,
        '403': responses.forbidden(ACTORS_RULE),
        '404': responses.notFound,
        '409': errorResponse('The bulk has ended: nothing left to cancel.', stateConflict(['bulk_closed']), { codes: ['bulk_closed'] }),
        '503': errorResponse('The payout engine (Temporal) is unreachable; try again shortly.', { codes: ['temporal_unavailable'] }),
      },
    }),
  },
  '/api/bulk-transfers/{bulk_id}/retry-failed': {
    post: bulkAction({
      operationId: 'retryFailedBulkTransfers',
      summary: 'Pay again the lines of an ended bulk that failed for a reason worth retrying',
      description:
        'Only lines FAILED for a transient reason (src/domain/bulkControl.ts: the switch unreachable, transfer aborted or ' +
        'expired, liquidity, limits, the payee FSP refusing the transfer, the fee limit); never 3204 (party not found) ' +
        'nor other permanent payee errors, never a cancelled or rejected line, never a paid line. Their total is reserved ' +
        'again first (422 `insufficient_funds` otherwise, nothing changed). Each becomes a new attempt: a new id at ' +
        'Mojaloop (homeTransactionId `<transfer_id>-<attempt>`) and a new line workflow (`bulk-<id>-line-<n>-attempt-<k>`); ' +
        'its earlier failure is kept. The bulk is PROCESSING again. A deactivated organization\'s bulk is never retried ' +
        '(403 `organization_inactive`, nothing reserved).',
      responses: {
        '202': jsonResponse('Accepted: the lines are being paid again.', ref('BulkRetried')),
        '401': responses.unauthorized,
        '403': responses.forbidden(ACTORS_RULE, ['organization_inactive']),
        '404': responses.notFound,
        '409': errorResponse(
          'The bulk is still open (`bulk_in_progress`), or none of its lines failed for a reason worth retrying (`nothing_to_retry`).',
          stateConflict(['bulk_in_progress']),
          { codes: ['bulk_in_progress', 'nothing_to_retry'] },
        ),
        '422': errorResponse('The payer account cannot cover the lines to retry; nothing was changed.', {
          codes: ['insufficient_funds'],
          details: object({ available: MINOR_UNITS, required: MINOR_UNITS, currency: CURRENCY }),
        }),
        '503': errorResponse('The payout engine (Temporal) is unreachable; try again shortly.', { codes: ['temporal_unavailable'] }),
      },
    }),
  },
};

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
    ...bulkActionPaths,
  },
};

export const reportsTag = { name: REPORTS_TAG, description: 'What Mojaloop did with each line of a bulk, to reconcile.' };
