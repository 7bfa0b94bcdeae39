/**
 * /api/bulk-transfers: uploading a pension list (GESTIONNAIRE), and following bulks (GESTIONNAIRE, SUPERVISEUR).
 *
 * Upload: the file is received to a temporary file (koa-body/formidable, size-limited), then read as a stream
 * and checked line by line (src/domain/csv). Only a fully valid file is stored, in one transaction that also
 * reserves its total on the payer account (src/payouts/createBulk.ts). The payout workflow is started after the
 * commit; if Temporal is down, the bulk stays PENDING with its reservation and the answer is 503: a retry with the
 * same Idempotency-Key starts it (starting is idempotent), as does the worker's sweep of PENDING bulks.
 */
import { isUuid } from '../../domain/ids';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { koaBody } from 'koa-body';
import type { File } from 'formidable';
import type { Config } from '../../config';
import { db } from '../../db/knex';
import { BulkCsvContent, BulkCsvFailure, readBulkCsv } from '../../domain/csv/readBulkCsv';
import { z } from 'zod';
import { parseBody } from '../../auth/bodyValidation';
import {
  AppError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ServiceUnavailableError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../errors';
import { Account, BULK_STATES, BulkState, Organization } from '../../models';
import { startBulkPayout, queryBulkProgress } from '../../payouts/bulkPayoutClient';
import {
  listBulkHistory,
  listTransferDetails,
  loadBulkDecisions,
  listTransferStatuses,
  loadBulkSummary,
  percentOf,
  progressFromDatabase,
  BulkSummary,
} from '../../payouts/bulkReads';
import { approvalRefusalError, checkApprover, isOpenBulkState } from '../../payouts/bulkLifecycle';
import { cancelBulkPayout, decideApproval, retryFailedPayouts } from '../../payouts/bulkWorkflowUpdates';
import { createBulk, findUploadByIdempotencyKey, IdempotentUpload, StoredResponse } from '../../payouts/createBulk';
import type { BulkProgress } from '../../domain/payoutWorkflows';
import type { AppDependencies } from '../app';
import { withTemporal } from './temporalCall';
import { authenticate } from '../middleware/authenticate';
import { jsonBody } from './auth';
import { assertSameOrganization, CanReadOrganization, currentUser, IsGestionnaire } from '../middleware/permissions';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/**
 * The query's own gRPC deadline, kept long: a status read stops waiting much sooner (BULK_STATUS_LIVE_WAIT_MS), and
 * cancelling the server's call mid-operation has broken the dev server's SQLite store (see README, Benchmarks).
 */
const LIVE_PROGRESS_DEADLINE_MS = 2000;

export function bulkTransfersRouter(deps: AppDependencies): Router {
  const router = new Router({ prefix: '/api/bulk-transfers' });
  const readers = [authenticate(deps.config), CanReadOrganization];

  // Authorisation before the body is read: nobody else may make us store a 20 MB file.
  router.post('/', authenticate(deps.config), IsGestionnaire, requireActiveOrganization, requireMultipart, receiveFile(deps.config), async (ctx) => {
    await uploadBulk(ctx, deps, uploadedFile(ctx));
  });

  router.get('/history', ...readers, async (ctx) => {
    const user = currentUser(ctx);
    const filters = {
      state: stateFilter(ctx.query.state),
      startDate: dateFilter(ctx.query.start_date, 'start_date'),
      endDate: dateFilter(ctx.query.end_date, 'end_date'),
      limit: integerParam(ctx.query.limit, 'limit', { defaultValue: 50, min: 1, max: 200 }),
      offset: integerParam(ctx.query.offset, 'offset', { defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
    };
    if (filters.startDate && filters.endDate && filters.startDate > filters.endDate) {
      throw invalidFilter('end_date', 'end_date is before start_date.');
    }
    const { total, entries } = await listBulkHistory(db(), user.organizationId!, filters);
    ctx.body = { total, count: entries.length, limit: filters.limit, offset: filters.offset, results: entries };
  });

  router.get('/:bulk_id/details', ...readers, async (ctx) => {
    const bulk = await readableBulk(ctx, ctx.params.bulk_id);
    const limit = integerParam(ctx.query.limit, 'limit', { defaultValue: 100, min: 1, max: 1000 });
    const offset = integerParam(ctx.query.offset, 'offset', { defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const [progress, transfers, decisions] = await Promise.all([
      progressFromDatabase(db(), bulk.bulk_id),
      listTransferDetails(db(), bulk.bulk_id, limit, offset),
      loadBulkDecisions(db(), bulk.bulk_id),
    ]);
    ctx.body = {
      bulk_id: bulk.bulk_id,
      payer_account: bulk.payer_account,
      organization: bulk.organization,
      state: bulk.state,
      total_amount: bulk.total_amount,
      currency: bulk.currency,
      created_at: bulk.created_at,
      completed_at: bulk.completed_at,
      failure_reason: bulk.failure_reason,
      ...decisions!,
      statistics: {
        total: progress.total,
        completed: progress.completed,
        failed: progress.failed,
        pending: progress.pending,
        processing: progress.processing,
        cancelled: decisions?.cancellation?.cancelled_transfers ?? 0,
        success_rate: percentOf(progress.completed, progress.total),
      },
      individual_transfers: transfers,
      individual_transfers_count: progress.total,
      limit,
      offset,
    };
  });

  router.get('/:bulk_id/status', ...readers, async (ctx) => {
    const bulk = await readableBulk(ctx, ctx.params.bulk_id);
    const limit = integerParam(ctx.query.limit, 'limit', { defaultValue: 100, min: 1, max: 1000 });
    // The three reads at once, so the answer takes as long as the slowest, not their sum: the database count is
    // read even when the workflow answers, rather than only after waiting for it.
    const [answer, counted, individualTransfers] = await Promise.all([
      isOpen(bulk.state) ? liveProgress(ctx, deps, bulk.bulk_id) : null,
      progressFromDatabase(db(), bulk.bulk_id),
      listTransferStatuses(db(), bulk.bulk_id, limit, 0),
    ]);
    // Until its first step has read the bulk, the workflow counts no lines at all: the database knows better.
    const live = answer !== null && answer.total === bulk.transfers_count ? answer : null;
    const progress = live ?? counted;
    ctx.body = {
      bulkTransferId: bulk.bulk_id,
      state: bulk.state,
      total: progress.total,
      completed: progress.completed,
      failed: progress.failed,
      pending: progress.pending,
      processing: progress.processing,
      progress_percent: percentOf(progress.completed + progress.failed, progress.total),
      source: live ? 'workflow' : 'database',
      individualTransfers,
    };
  });

  registerBulkActions(router, deps);
  return router;
}

// ---------------------------------------------------------------------------------------------------------------
// Acting on a bulk: approve / reject (maker-checker), cancel, retry-failed. The route checks who may act on which
// bulk and answers the common refusals itself; the decision is then sent to the bulk's workflow as an update,
// whose own checks (the same rules, in the workflow and the database) decide in the end.

const RejectBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

function registerBulkActions(router: Router, deps: AppDependencies): void {
  const actors = [authenticate(deps.config), IsGestionnaire];
  const approvers = [authenticate(deps.config), MayApprove];

  router.post('/:bulk_id/approve', ...approvers, async (ctx) => {
    const bulk = await bulkAwaitingApproval(ctx);
    const user = currentUser(ctx);
    await withTemporal(ctx, deps, 'The payout engine', (temporal) => decideApproval(temporal, bulk.bulk_id, { approve: true, by: { userId: user.id } }));
    ctx.log.info({ bulkId: bulk.bulk_id, userId: user.id }, 'bulk approved');
    ctx.body = await decisionAnswer(bulk.bulk_id);
  });

  router.post('/:bulk_id/reject', ...approvers, jsonBody(deps.config), async (ctx) => {
    const body = parseBody(RejectBody, ctx.request.body);
    const bulk = await bulkAwaitingApproval(ctx);
    const user = currentUser(ctx);
    await withTemporal(ctx, deps, 'The payout engine', (temporal) =>
      decideApproval(temporal, bulk.bulk_id, { approve: false, by: { userId: user.id, reason: body.reason } }),
    );
    ctx.log.info({ bulkId: bulk.bulk_id, userId: user.id }, 'bulk rejected');
    ctx.body = await decisionAnswer(bulk.bulk_id);
  });

  router.post('/:bulk_id/cancel', ...actors, async (ctx) => {
    const bulk = await readableBulk(ctx, ctx.params.bulk_id);
    if (!isOpen(bulk.state)) throw bulkClosed(bulk.state);
    const user = currentUser(ctx);
    const outcome = await withTemporal(ctx, deps, 'The payout engine', (temporal) =>
      cancelBulkPayout(temporal, deps.config.temporal.taskQueue, bulk.bulk_id, { userId: user.id }),
    );
    ctx.log.info({ bulkId: bulk.bulk_id, userId: user.id, cancelled: outcome.cancelled }, 'bulk cancelled');
    ctx.status = 202;
    ctx.body = { bulkTransferId: bulk.bulk_id, cancelled_transfers: outcome.cancelled, released_amount: outcome.released, currency: bulk.currency };
  });

  router.post('/:bulk_id/retry-failed', ...actors, async (ctx) => {
    const bulk = await readableBulk(ctx, ctx.params.bulk_id);
    if (isOpen(bulk.state)) {
      throw new ConflictError(`The bulk is still ${bulk.state}: retry its failed transfers once it has ended.`, 'bulk_in_progress', { state: bulk.state });
    }
    const user = currentUser(ctx);
    const outcome = await withTemporal(ctx, deps, 'The payout engine', (temporal) =>
      retryFailedPayouts(temporal, deps.config.temporal.taskQueue, bulk.bulk_id, { userId: user.id }),
    );
    ctx.log.info({ bulkId: bulk.bulk_id, userId: user.id, retried: outcome.retried }, 'failed transfers retried');
    ctx.status = 202;
    ctx.body = { bulkTransferId: bulk.bulk_id, state: 'PROCESSING', retried_transfers: outcome.retried, reserved_amount: outcome.reserved, currency: bulk.currency };
  });
}

/** Approving or rejecting: a GESTIONNAIRE, or a staff user of the organization (the bulk's own is checked after). */
async function MayApprove(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.role !== 'GESTIONNAIRE' && !user.isStaff) throw new PermissionDeniedError('Only a GESTIONNAIRE or a staff user may approve or reject a bulk.');
  await next();
}

/** The caller's organization's bulk, awaiting approval (or about to: its workflow has not begun it), not theirs. */
async function bulkAwaitingApproval(ctx: Context): Promise<BulkSummary> {
  const bulk = await readableBulk(ctx, ctx.params.bulk_id);
  if (bulk.state !== 'AWAITING_APPROVAL' && bulk.state !== 'PENDING') {
    throw new ConflictError(`The bulk is not awaiting approval (it is ${bulk.state}).`, 'not_awaiting_approval', { state: bulk.state });
  }
  const refusal = await checkApprover(db(), currentUser(ctx).id, { organizationId: bulk.organization_id, createdById: bulk.created_by_id });
  if (refusal) throw approvalRefusalError(refusal);
  return bulk;
}

function bulkClosed(state: BulkState): ConflictError {
  return new ConflictError(`The bulk has ended (${state}): there is nothing left to cancel.`, 'bulk_closed', { state });
}

async function decisionAnswer(bulkId: string): Promise<Record<string, unknown>> {
  const bulk = await loadBulkSummary(db(), bulkId);
  const decisions = await loadBulkDecisions(db(), bulkId);
  return { bulkTransferId: bulkId, state: bulk!.state, failure_reason: bulk!.failure_reason, approval: decisions!.approval };
}


// ---------------------------------------------------------------------------------------------------------------
// Upload

async function uploadBulk(ctx: Context, deps: AppDependencies, file: File): Promise<void> {
  const user = currentUser(ctx);
  const organizationId = user.organizationId!;
  const allowDuplicate = booleanParam(ctx.query.allow_duplicate, 'allow_duplicate');
  const idempotencyKey = readIdempotencyKey(ctx);

  // A retry of an upload already stored: answer as the first time, without reading the file again.
  if (idempotencyKey !== null) {
    const earlier = await findUploadByIdempotencyKey(db(), organizationId, idempotencyKey);
    if (earlier) return replayUpload(ctx, deps, earlier, await sha256OfFile(file.filepath));
  }

  const payers = await payerAccounts(organizationId, singleQueryValue(ctx.query.payer_account, 'payer_account'));
  const read = await readBulkCsv(createReadStream(file.filepath), {
    payerCurrencies: [...new Set(payers.map((account) => account.currency.trim()))],
    maxAmountPerLine: deps.config.bulk.maxAmountPerLineMinorUnits,
    maxRows: deps.config.bulk.maxRows,
    maxErrorsReported: deps.config.bulk.maxErrorsReported,
  });
  if (!read.ok) throw errorForRefusedFile(read.failure);
  const content = read.content;
  // readBulkCsv only accepts currencies of these accounts: one matches.
  const payer = payers.find((account) => account.currency.trim() === content.currency)!;

  const bulkId = randomUUID();
  const response: StoredResponse = { status: 202, body: acceptedBody(bulkId, content) };
  const outcome = await createBulk(db(), {
    bulkId,
    organizationId,
    payerAccountId: payer.id,
    createdById: user.id,
    currency: content.currency,
    fileName: file.originalFilename?.slice(0, 255) ?? null,
    fileSha256: content.sha256,
    idempotencyKey,
    allowDuplicate,
    lines: content.lines,
    response,
  });
  if (outcome.kind === 'replay') return replayUpload(ctx, deps, outcome.earlier, content.sha256);

  ctx.log.info({ bulkId, organizationId, transfers: content.lines.count, total: content.lines.total.toString() }, 'bulk uploaded');
  await startPayout(ctx, deps, bulkId);
  ctx.status = response.status;
  ctx.body = response.body;
}

function acceptedBody(bulkId: string, content: BulkCsvContent): Record<string, unknown> {
  const body: Record<string, unknown> = {
    bulkTransferId: bulkId,
    state: 'PENDING',
    transfers_count: content.lines.count,
    total_amount: content.lines.total.toString(),
    currency: content.currency,
    warnings: content.warnings,
  };
  if (content.warningsTruncated) body.warnings_truncated = true;
  return body;
}

/** The first answer again. A bulk whose payout never started (Temporal was down) is started now. */
async function replayUpload(ctx: Context, deps: AppDependencies, earlier: IdempotentUpload, fileSha256: string): Promise<void> {
  if (earlier.fileSha256 !== fileSha256) {
    throw new UnprocessableError(
      'This Idempotency-Key was already used for another file. Use a new key for a new upload.',
      'idempotency_key_reused',
      { bulkTransferId: earlier.bulkId },
    );
  }
  if (earlier.state === 'PENDING') await startPayout(ctx, deps, earlier.bulkId);
  ctx.set('Idempotent-Replayed', 'true');
  ctx.status = earlier.response.status;
  ctx.body = earlier.response.body;
}

async function startPayout(ctx: Context, deps: AppDependencies, bulkId: string): Promise<void> {
  try {
    const temporal = await deps.temporal();
    await startBulkPayout(temporal, deps.config.temporal.taskQueue, bulkId, { requestId: ctx.requestId });
  } catch (error) {
    ctx.log.error({ err: error, bulkId }, 'bulk stored but its workflow could not be started');
    throw new ServiceUnavailableError(
      'The file was accepted and its total reserved, but the payout could not be started yet. ' +
        'Retry with the same Idempotency-Key, or it will be started automatically.',
      'workflow_start_failed',
      { bulkTransferId: bulkId },
    );
  }
}

function errorForRefusedFile(failure: BulkCsvFailure): AppError {
  if (failure.code === 'too_many_rows') return new PayloadTooLargeError(failure.message, failure.code, failure.details);
  return new ValidationError(failure.message, failure.details, failure.code);
}

/** The payer candidates: the one named by `?payer_account=`, or all of the organization's accounts, oldest first. */
async function payerAccounts(organizationId: number, requested: string | null): Promise<Account[]> {
  const query = Account.query(db()).where('organization_id', organizationId).orderBy('id');
  if (requested !== null) query.where('account_id', requested);
  const accounts = await query;
  if (requested !== null && accounts.length === 0) {
    throw new ValidationError(`Your organization has no account ${requested}.`, { field: 'payer_account' }, 'invalid_payer_account');
  }
  if (accounts.length === 0) throw new UnprocessableError('Your organization has no account to pay from.', 'no_payer_account');
  return accounts;
}

function readIdempotencyKey(ctx: Context): string | null {
  const key = ctx.get('Idempotency-Key').trim();
  if (key === '') return null;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError(`Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, { field: 'Idempotency-Key' }, 'invalid_idempotency_key');
  }
  return key;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function requireActiveOrganization(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  const organization = user.organizationId === null ? undefined : await Organization.query(db()).findById(user.organizationId);
  if (!organization) throw new PermissionDeniedError('Your account belongs to no organization.');
  if (!organization.is_active) throw new PermissionDeniedError('Your organization is deactivated.', 'organization_inactive');
  await next();
}

export async function requireMultipart(ctx: Context, next: Next): Promise<void> {
  if (!ctx.is('multipart/form-data')) {
    throw new UnsupportedMediaTypeError('Send the file as multipart/form-data, in a field named "file".');
  }
  await next();
}

/**
 * The multipart body, the file written to a temporary file by formidable, refused past the size limit.
 * Every temporary file is removed once the request is answered, whatever the answer.
 */
export function receiveFile(config: Config): Middleware {
  const parseMultipart = koaBody({
    multipart: true,
    json: false,
    urlencoded: false,
    text: false,
    formidable: {
      maxFiles: 1,
      maxFileSize: config.bulk.maxBytes,
      maxTotalFileSize: config.bulk.maxBytes,
      // An empty file is answered `empty_file` by the CSV reader, not a multipart error.
      allowEmptyFiles: true,
      minFileSize: 0,
      maxFields: 20,
      maxFieldsSize: 64 * 1024,
    },
    onError: (error) => {
      throw multipartError(error as Error & { code?: number; httpCode?: number }, config.bulk.maxBytes);
    },
  });
  return (ctx, next) =>
    parseMultipart(ctx, async () => {
      try {
        await next();
      } finally {
        await removeUploadedFiles(ctx);
      }
    });
}

async function removeUploadedFiles(ctx: Context): Promise<void> {
  const files = Object.values(ctx.request.files ?? {}).flat();
  await Promise.all(files.map((file) => rm(file.filepath, { force: true })));
}

// formidable's error codes (formidable/src/FormidableError.js).
const FORMIDABLE_FILE_TOO_LARGE = [1009, 1016];
const FORMIDABLE_TOO_MANY_FILES = 1015;

function multipartError(error: Error & { code?: number; httpCode?: number }, maxBytes: number): AppError {
  if (error.code !== undefined && FORMIDABLE_FILE_TOO_LARGE.includes(error.code)) {
    return new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes.`, 'file_too_large', { max_bytes: maxBytes });
  }
  if (error.code === FORMIDABLE_TOO_MANY_FILES) return new ValidationError('Send one file only, in the field "file".', undefined, 'file_required');
  return new ValidationError('The multipart body could not be read.', undefined, 'invalid_multipart');
}

export function uploadedFile(ctx: Context): File {
  const file = ctx.request.files?.file;
  if (!file || Array.isArray(file)) throw new ValidationError('Attach the CSV file in the form field "file".', undefined, 'file_required');
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

/** The bulk if the caller's organization owns it; a malformed id, a missing bulk and another's bulk all 404. */
async function readableBulk(ctx: Context, bulkId: string | undefined): Promise<BulkSummary> {
  if (bulkId === undefined || !isUuid(bulkId)) throw new NotFoundError();
  const bulk = await loadBulkSummary(db(), bulkId);
  if (!bulk) throw new NotFoundError();
  assertSameOrganization(currentUser(ctx), bulk.organization_id);
  return bulk;
}

function isOpen(state: BulkState): boolean {
  return isOpenBulkState(state);
}

/**
 * The workflow's own count while it runs; null (read the database) when it has closed, is unknown, or does not
 * answer within BULK_STATUS_LIVE_WAIT_MS. The worker answers queries between payment tasks, so under load it can
 * take seconds; the database's counts are never older (activities write a line's status before the workflow
 * hears of it), so a status read does not wait for it. A late answer is dropped.
 */
async function liveProgress(ctx: Context, deps: AppDependencies, bulkId: string): Promise<BulkProgress | null> {
  const waitMs = deps.config.bulk.statusLiveWaitMs;
  if (waitMs === 0) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    const temporal = await deps.temporal();
    const query = temporal.connection.withDeadline(Date.now() + LIVE_PROGRESS_DEADLINE_MS, () => queryBulkProgress(temporal, bulkId));
    const tooSlow = new Promise<'too slow'>((resolve) => {
      timer = setTimeout(() => resolve('too slow'), waitMs);
    });
    const first = await Promise.race([query, tooSlow]);
    if (first !== 'too slow') return first;
    query.catch((error: unknown) => ctx.log.debug({ err: error, bulkId }, 'late live progress failed'));
    return null;
  } catch (error) {
    ctx.log.warn({ err: error, bulkId }, 'live bulk progress unavailable; answering from the database');
    return null;
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Query parameters

type QueryValue = string | string[] | undefined;

export function invalidFilter(field: string, message: string): ValidationError {
  return new ValidationError(message, { field }, 'invalid_filter');
}

export function singleQueryValue(value: QueryValue, field: string): string | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) throw invalidFilter(field, `${field} is given more than once.`);
  return value;
}

export function integerParam(value: QueryValue, field: string, range: { defaultValue: number; min: number; max: number }): number {
  const text = singleQueryValue(value, field);
  if (text === null || text === '') return range.defaultValue;
  const number = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < range.min || number > range.max) {
    throw invalidFilter(field, `${field} must be a whole number from ${range.min} to ${range.max}.`);
  }
  return number;
}

function booleanParam(value: QueryValue, field: string): boolean {
  const text = singleQueryValue(value, field);
  if (text === null || text === '' || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw invalidFilter(field, `${field} must be true or false.`);
}

function stateFilter(value: QueryValue): BulkState | null {
  const text = singleQueryValue(value, 'state');
  if (text === null || text === '') return null;
  const state = text.toUpperCase();
  if (!(BULK_STATES as readonly string[]).includes(state)) throw invalidFilter('state', `state must be one of ${BULK_STATES.join(', ')}.`);
  return state as BulkState;
}

/** YYYY-MM-DD naming a real day (2026-02-30 is refused). */
export function dateFilter(value: QueryValue, field: string): string | null {
  const text = singleQueryValue(value, field);
  if (text === null || text === '') return null;
  const date = DATE_PATTERN.test(text) ? new Date(`${text}T00:00:00Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
    throw invalidFilter(field, `${field} must be a date written YYYY-MM-DD.`);
  }
  return text;
}
