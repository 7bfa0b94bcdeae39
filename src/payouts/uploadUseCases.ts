/**
 * Uploading a pension list. The file (already on disk, size-limited by the HTTP layer) is read as a stream and
 * checked line by line (src/payouts/rules/csv). Only a fully valid file is stored, in one transaction that also reserves
 * its total on the payer account (createBulk). The payout workflow is started after the commit; if Temporal is
 * down, the bulk stays PENDING with its reservation and the answer is 503: a retry with the same Idempotency-Key
 * starts it (starting is idempotent), as does the worker's sweep of PENDING bulks.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Knex } from 'knex';
import { type BulkCsvContent, type BulkCsvFailure, readBulkCsv } from './rules/csv/readBulkCsv';
import {
  type AppError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnprocessableError,
  ValidationError,
} from '../errors';
import { Account } from '../models';
import type { RequestScope } from '../requests/requestScope';
import { startBulkPayout } from './payoutClient';
import {
  createBulk,
  findUploadByIdempotencyKey,
  type IdempotentUpload,
  type StoredResponse,
} from './store/bulkInsertStore';

export interface UploadRequest {
  organizationId: number;
  userId: number;
  filePath: string;
  fileName: string | null;
  /** `?payer_account=`: the account to pay from; the organization's oldest account of the file's currency otherwise. */
  payerAccount: string | null;
  allowDuplicate: boolean;
  idempotencyKey: string | null;
}

/** The 202 answer, as stored with the bulk (warnings' messages in both languages, rendered when answered). */
export interface BulkAccepted {
  bulkTransferId: string;
  state: 'PENDING';
  transfers_count: number;
  total_amount: bigint;
  currency: string;
  warnings: unknown[];
  warnings_truncated?: true;
}

export interface UploadOutcome {
  accepted: BulkAccepted;
  /** True when this answers an earlier upload with the same Idempotency-Key. */
  replayed: boolean;
}

export async function uploadBulk(scope: RequestScope, request: UploadRequest): Promise<UploadOutcome> {
  const { organizationId, idempotencyKey } = request;
  // A retry of an upload already stored: answer as the first time, without reading the file again.
  if (idempotencyKey !== null) {
    const earlier = await findUploadByIdempotencyKey(scope.db, organizationId, idempotencyKey);
    if (earlier) return replayUpload(scope, earlier, await sha256OfFile(request.filePath));
  }

  const payers = await payerAccounts(scope.db, organizationId, request.payerAccount);
  const limits = scope.config.bulk;
  const read = await readBulkCsv(createReadStream(request.filePath), {
    payerCurrencies: [...new Set(payers.map((account) => account.currency.trim()))],
    maxAmountPerLine: limits.maxAmountPerLineMinorUnits,
    maxRows: limits.maxRows,
    maxErrorsReported: limits.maxErrorsReported,
  });
  if (!read.ok) throw errorForRefusedFile(read.failure);
  const content = read.content;
  // readBulkCsv only accepts currencies of these accounts: one matches.
  const payer = payers.find((account) => account.currency.trim() === content.currency)!;

  const bulkId = randomUUID();
  const accepted = acceptedBody(bulkId, content);
  const outcome = await createBulk(scope.db, {
    bulkId,
    organizationId,
    payerAccountId: payer.id,
    createdById: request.userId,
    currency: content.currency,
    fileName: request.fileName?.slice(0, 255) ?? null,
    fileSha256: content.sha256,
    idempotencyKey,
    allowDuplicate: request.allowDuplicate,
    lines: content.lines,
    response: storedResponseOf(accepted),
  });
  if (outcome.kind === 'replay') return replayUpload(scope, outcome.earlier, content.sha256);

  scope.log.info(
    { bulkId, organizationId, transfers: content.lines.count, total: content.lines.total.toString() },
    'bulk uploaded',
  );
  await startPayout(scope, bulkId);
  return { accepted, replayed: false };
}

function acceptedBody(bulkId: string, content: BulkCsvContent): BulkAccepted {
  return {
    bulkTransferId: bulkId,
    state: 'PENDING',
    transfers_count: content.lines.count,
    total_amount: content.lines.total,
    currency: content.currency,
    warnings: content.warnings,
    ...(content.warningsTruncated ? { warnings_truncated: true as const } : {}),
  };
}

/** jsonb holds no bigint: the total is stored as a number (uploads refuse totals above 2^53). */
function storedResponseOf(accepted: BulkAccepted): StoredResponse {
  return { status: 202, body: { ...accepted, total_amount: Number(accepted.total_amount) } };
}

/** An answer stored by any version (earlier ones wrote the total as a string) as today's shape. */
function acceptedFromStored(response: StoredResponse): BulkAccepted {
  const body = response.body as unknown as BulkAccepted & { total_amount: number | string };
  return { ...body, total_amount: BigInt(body.total_amount) };
}

/** The first answer again. A bulk whose payout never started (Temporal was down) is started now. */
async function replayUpload(
  scope: RequestScope,
  earlier: IdempotentUpload,
  fileSha256: string,
): Promise<UploadOutcome> {
  if (earlier.fileSha256 !== fileSha256) {
    throw new UnprocessableError(
      'idempotency_key_reused',
      {
        fr: 'Cette Idempotency-Key a déjà servi pour un autre fichier. Utilisez une nouvelle clé pour un nouvel envoi.',
        en: 'This Idempotency-Key was already used for another file. Use a new key for a new upload.',
      },
      { bulkTransferId: earlier.bulkId },
    );
  }
  if (earlier.state === 'PENDING') await startPayout(scope, earlier.bulkId);
  return { accepted: acceptedFromStored(earlier.response), replayed: true };
}

async function startPayout(scope: RequestScope, bulkId: string): Promise<void> {
  try {
    const temporal = await scope.temporal();
    await startBulkPayout(temporal, scope.config.temporal.taskQueue, bulkId, { requestId: scope.requestId });
  } catch (error) {
    scope.log.error({ err: error, bulkId }, 'bulk stored but its workflow could not be started');
    throw new ServiceUnavailableError(
      'workflow_start_failed',
      {
        fr:
          "Le fichier a été accepté et son total réservé, mais le paiement n'a pas encore pu démarrer. " +
          'Réessayez avec la même Idempotency-Key, ou il démarrera automatiquement.',
        en:
          'The file was accepted and its total reserved, but the payout could not be started yet. ' +
          'Retry with the same Idempotency-Key, or it will be started automatically.',
      },
      { bulkTransferId: bulkId },
    );
  }
}

function errorForRefusedFile(failure: BulkCsvFailure): AppError {
  if (failure.code === 'too_many_rows') return new PayloadTooLargeError(failure.code, failure.message, failure.details);
  return new ValidationError(failure.code, failure.message, failure.details);
}

/** The payer candidates: the one named by `?payer_account=`, or all of the organization's accounts, oldest first. */
async function payerAccounts(knex: Knex, organizationId: number, requested: string | null): Promise<Account[]> {
  const query = Account.query(knex).where('organization_id', organizationId).orderBy('id');
  if (requested !== null) query.where('account_id', requested);
  const accounts = await query;
  if (requested !== null && accounts.length === 0) {
    throw new ValidationError(
      'invalid_payer_account',
      {
        fr: `Votre organisation n'a pas de compte ${requested}.`,
        en: `Your organization has no account ${requested}.`,
      },
      { field: 'payer_account' },
    );
  }
  if (accounts.length > 0) return accounts;
  throw new UnprocessableError('no_payer_account', {
    fr: "Votre organisation n'a aucun compte à débiter.",
    en: 'Your organization has no account to pay from.',
  });
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
