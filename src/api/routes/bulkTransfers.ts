/**
 * /api/bulk-transfers: uploading a pension list (GESTIONNAIRE of an active organization) and following bulks
 * (GESTIONNAIRE, SUPERVISEUR). Acting on a bulk is in bulkDecisions.ts.
 */
import { z } from 'zod';
import { localize } from '../../i18n/message';
import { bulkDetails, bulkHistory, bulkStatus } from '../../payouts/bulkReadUseCases';
import { uploadBulk } from '../../payouts/uploadUseCases';
import { CanReadOrganization, InActiveOrganization, IsGestionnaire } from '../http/guards';
import { idempotencyKeyHeader, idempotencyKeyOf } from '../http/idempotencyKey';
import { queryBoolean, queryChoice, queryDate, queryInteger, queryText } from '../http/queryParams';
import { invalidFilter } from '../http/requestParsing';
import { defineRoute } from '../http/routeDefinition';
import { BulkAccepted, BulkDetails, BulkHistory, BulkStatus } from '../schemas/bulkTransfers';
import { BulkIdParams, InvalidFileDetails } from '../schemas/common';
import { BULK_STATES } from '../../models';
import { TRANSFER_STATUSES } from '../../payouts/rules/transferStates';

const tag = 'bulk transfers';
const readers = { kind: 'user', guards: [CanReadOrganization] } as const;

const upload = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers',
  operationId: 'uploadBulkTransfer',
  tag,
  summary: 'Upload a pension list (CSV) to pay',
  description:
    'Header `type_id,valeur_id,devise,montant` (`,` or `;`, UTF-8 with or without BOM), amounts in major units. Every line is ' +
    'checked; any error refuses the whole file (400, each error with its line and column) and nothing is created. A valid file ' +
    'is stored with its total reserved on the payer account, and its payout starts. `Idempotency-Key` makes a retry answer ' +
    'the first answer (header `Idempotent-Replayed: true`).',
  access: { kind: 'user', guards: [IsGestionnaire, InActiveOrganization] },
  query: z.object({
    payer_account: queryText(64).meta({
      description: 'The account_id to pay from; by default the oldest account in the file currency.',
    }),
    allow_duplicate: queryBoolean().meta({ description: 'Pay a file already paid (same content) again.' }),
  }),
  headers: idempotencyKeyHeader('Makes a retried upload answer the first answer instead of storing a second bulk.'),
  body: { kind: 'file', description: 'The CSV file, in the form field `file` (at most BULK_MAX_BYTES).' },
  answers: {
    202: {
      description: 'Stored, total reserved, payout started.',
      schema: BulkAccepted,
      headers: {
        'Idempotent-Replayed': {
          description: '`true` when this answers an earlier upload with the same Idempotency-Key.',
        },
      },
    },
  },
  errors: {
    400: [
      { code: 'invalid_file', details: InvalidFileDetails },
      'empty_file',
      'invalid_encoding',
      'invalid_header',
      'no_rows',
      'file_required',
      'invalid_multipart',
      'invalid_payer_account',
      'invalid_idempotency_key',
    ],
    409: ['duplicate_file', 'bulk_locked'],
    413: ['file_too_large', 'too_many_rows'],
    415: ['unsupported_media_type'],
    422: ['insufficient_funds', 'no_payer_account', 'idempotency_key_reused'],
    503: ['workflow_start_failed'],
  },
  handler: async ({ scope, ctx, user, query, body: file, language }) => {
    const outcome = await uploadBulk(scope, {
      organizationId: user.organizationId!,
      userId: user.id,
      filePath: file.filepath,
      fileName: file.originalFilename ?? null,
      payerAccount: query.payer_account,
      allowDuplicate: query.allow_duplicate,
      idempotencyKey: idempotencyKeyOf(ctx),
    });
    const body = { ...outcome.accepted, warnings: localize(outcome.accepted.warnings, language) } as z.input<
      typeof BulkAccepted
    >;
    const headers: Record<string, string> = outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {};
    return { status: 202, body, headers };
  },
});

const history = defineRoute({
  method: 'get',
  path: '/api/bulk-transfers/history',
  operationId: 'listBulkHistory',
  tag,
  summary: "The organization's bulks, newest first",
  access: readers,
  query: z.object({
    state: queryChoice(BULK_STATES),
    start_date: queryDate().meta({ description: 'Created on or after this day (UTC).' }),
    end_date: queryDate().meta({ description: 'Created on or before this day (UTC).' }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of bulks, with the total matching the filters.', schema: BulkHistory } },
  handler: async ({ scope, user, query }) => {
    if (query.start_date && query.end_date && query.start_date > query.end_date) {
      throw invalidFilter('end_date', { fr: 'end_date est avant start_date.', en: 'end_date is before start_date.' });
    }
    const filters = {
      state: query.state,
      startDate: query.start_date,
      endDate: query.end_date,
      limit: query.limit,
      offset: query.offset,
    };
    return { status: 200, body: await bulkHistory(scope, user, filters) };
  },
});

const details = defineRoute({
  method: 'get',
  path: '/api/bulk-transfers/:bulk_id/details',
  operationId: 'getBulkDetails',
  tag,
  summary: 'A bulk: who decided what, its counts, and a page of its lines',
  access: readers,
  params: BulkIdParams,
  query: z.object({
    status: queryChoice(TRANSFER_STATUSES).meta({ description: 'Only the lines in this status.' }),
    failure_code: queryText(64).meta({ description: 'Only the lines that failed with this code.' }),
    limit: queryInteger({ defaultValue: 100, min: 1, max: 1000 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'The bulk.', schema: BulkDetails } },
  handler: async ({ scope, user, params, query }) => {
    const lines = { status: query.status, failureCode: query.failure_code, limit: query.limit, offset: query.offset };
    return { status: 200, body: await bulkDetails(scope, user, params.bulk_id, lines) };
  },
});

const status = defineRoute({
  method: 'get',
  path: '/api/bulk-transfers/:bulk_id/status',
  operationId: 'getBulkStatus',
  tag,
  summary: "A bulk's progress: live from its workflow while it runs, from the database otherwise",
  access: readers,
  params: BulkIdParams,
  query: z.object({ limit: queryInteger({ defaultValue: 100, min: 1, max: 1000 }) }),
  answers: { 200: { description: 'The counts, and the first lines.', schema: BulkStatus } },
  handler: async ({ scope, user, params, query }) => ({
    status: 200,
    body: await bulkStatus(scope, user, params.bulk_id, query.limit),
  }),
});

export const bulkTransferRoutes = [upload, history, details, status];
