/**
 * Storing an uploaded bulk: in ONE transaction, the organization's bulk lock is taken (and the organization
 * checked active), the payer account is locked, the Idempotency-Key and the file are checked against earlier
 * uploads, the total is reserved, and the bulk and all its lines are inserted. Any refusal rolls everything
 * back: a refused upload leaves no trace.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BulkLines } from '../rules/bulkLines';
import { uuidV7 } from '../../domain/ids';
import { ConflictError, NotFoundError } from '../../errors';
import type { BulkState } from '../../models';
import { isOrganizationActive, organizationInactiveRefusal } from '../../organizations/status';
import { lockAccount, reserveFunds } from '../../accounts/store/reservationStore';

/** The answer given to an upload, kept with the bulk so a retry with the same Idempotency-Key gets it again. */
export interface StoredResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface NewBulk {
  bulkId: string;
  organizationId: number;
  payerAccountId: number;
  /** Null for a bulk built by a schedule (no one uploaded it). */
  createdById: number | null;
  currency: string;
  fileName: string | null;
  /** Null when there is no file (a scheduled pension run); such a bulk is never refused as a duplicate file. */
  fileSha256: string | null;
  /** Where the bulk comes from; an upload when omitted. */
  source?: 'UPLOAD' | 'SCHEDULE';
  idempotencyKey: string | null;
  /** `?allow_duplicate=true`: the fund really means to pay the same file twice. */
  allowDuplicate: boolean;
  lines: BulkLines;
  response: StoredResponse;
}

/** A bulk created earlier with the same Idempotency-Key. */
export interface IdempotentUpload {
  bulkId: string;
  state: BulkState;
  fileSha256: string | null;
  response: StoredResponse;
}

export type CreateBulkOutcome = { kind: 'created' } | { kind: 'replay'; earlier: IdempotentUpload };

/** Lines per chunk of COPY text handed to the connection: big enough to be cheap, small enough to stream. */
const COPY_CHUNK_LINES = 2000;

const IDEMPOTENCY_INDEX = 'bulk_transfers_idempotency_key_unique';

export async function createBulk(knex: Knex, bulk: NewBulk): Promise<CreateBulkOutcome> {
  try {
    return await knex.transaction(async (trx) => {
      await lockOrganizationBulks(trx, bulk.organizationId);
      const account = await lockAccount(trx, bulk.payerAccountId);
      if (!account)
        throw new NotFoundError('not_found', { fr: 'Compte payeur introuvable.', en: 'Payer account not found.' });

      // Checked under the organization's lock: a concurrent retry with the same key waits, then finds the first bulk.
      if (bulk.idempotencyKey !== null) {
        const earlier = await findUploadByIdempotencyKey(trx, bulk.organizationId, bulk.idempotencyKey);
        if (earlier) return { kind: 'replay', earlier } as const;
      }
      if (!bulk.allowDuplicate && bulk.fileSha256 !== null)
        await refuseDuplicateFile(trx, bulk.organizationId, bulk.fileSha256);

      // The bulk row first: the reservation's journal row references it. A refusal rolls both back.
      await insertBulkRow(trx, bulk);
      await reserveFunds(trx, account, bulk.lines.total, bulk.bulkId);
      await insertTransfers(trx, bulk);
      return { kind: 'created' } as const;
    });
  } catch (error) {
    // The organization's lock serialises retries, whatever their payer account; the unique index stays the last word.
    if (bulk.idempotencyKey !== null && isUniqueViolation(error, IDEMPOTENCY_INDEX)) {
      const earlier = await findUploadByIdempotencyKey(knex, bulk.organizationId, bulk.idempotencyKey);
      if (earlier) return { kind: 'replay', earlier };
    }
    throw error;
  }
}

/**
 * Namespace of the transaction-level advisory lock `(BULK_LOCK_NAMESPACE, organization id)`, taken by every bulk
 * creation. The account lock only serialises uploads to one account; the duplicate-file check covers all the
 * organization's accounts, so two uploads of the same file to two accounts at once must also wait for each other.
 * Fixed: tests and operators may take the same lock (`select pg_advisory_lock(1112886347, <organization id>)`).
 */
export const BULK_LOCK_NAMESPACE = 0x42554c4b; // 'BULK'

/**
 * Taken first, before any account: always the same order, so uploads of one organization queue up here and never
 * deadlock on each other's accounts. Held until commit or rollback. The organization is then read under a share
 * lock: a deactivation waits for the upload in progress, and a later upload sees it.
 */
async function lockOrganizationBulks(trx: Knex.Transaction, organizationId: number): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(?::int, ?::int)', [BULK_LOCK_NAMESPACE, organizationId]);
  if (!(await isOrganizationActive(trx, organizationId, { forShare: true }))) throw organizationInactiveRefusal();
}

export async function findUploadByIdempotencyKey(
  knex: Knex,
  organizationId: number,
  key: string,
): Promise<IdempotentUpload | null> {
  const row = await knex('bulk_transfers')
    .where({ organization_id: organizationId, idempotency_key: key })
    .first<
      | { bulk_id: string; state: BulkState; file_sha256: string | null; idempotency_response: StoredResponse | null }
      | undefined
    >('bulk_id', 'state', 'file_sha256', 'idempotency_response');
  if (!row || !row.idempotency_response) return null;
  return { bulkId: row.bulk_id, state: row.state, fileSha256: row.file_sha256, response: row.idempotency_response };
}

/** The same file twice is usually a mistake that would pay every pension twice; a FAILED bulk paid nothing. */
async function refuseDuplicateFile(trx: Knex.Transaction, organizationId: number, fileSha256: string): Promise<void> {
  const existing = await trx('bulk_transfers')
    .where({ organization_id: organizationId, file_sha256: fileSha256 })
    .whereNot('state', 'FAILED')
    .orderBy('created_at', 'desc')
    .first<{ bulk_id: string; state: BulkState; created_at: Date } | undefined>('bulk_id', 'state', 'created_at');
  if (!existing) return;
  throw new ConflictError(
    'duplicate_file',
    {
      fr: `Ce fichier a déjà été envoyé (lot ${existing.bulk_id}, ${existing.state}). Ajoutez ?allow_duplicate=true pour le payer à nouveau.`,
      en: `This file was already uploaded (bulk ${existing.bulk_id}, ${existing.state}). Add ?allow_duplicate=true to pay it again.`,
    },
    { bulkTransferId: existing.bulk_id, state: existing.state, created_at: existing.created_at.toISOString() },
  );
}

async function insertBulkRow(trx: Knex.Transaction, bulk: NewBulk): Promise<void> {
  await trx('bulk_transfers').insert({
    bulk_id: bulk.bulkId,
    organization_id: bulk.organizationId,
    payer_account_id: bulk.payerAccountId,
    created_by_id: bulk.createdById,
    total_amount: bulk.lines.total.toString(),
    currency: bulk.currency,
    state: 'PENDING',
    transfers_count: bulk.lines.count,
    source: bulk.source ?? 'UPLOAD',
    file_name: bulk.fileName,
    file_sha256: bulk.fileSha256,
    idempotency_key: bulk.idempotencyKey,
    idempotency_response: JSON.stringify(bulk.response),
  });
}

/**
 * Each line gets its transfer_id now: it is the idempotency key sent to Mojaloop (homeTransactionId), so it
 * must never change, whatever is retried later (a UUID v7, in time order: see uuidV7). Stored with COPY on the
 * transaction's own connection (several times faster than INSERTs for a large file), streamed in chunks so the
 * text is never whole in memory.
 */
async function insertTransfers(trx: Knex.Transaction, bulk: NewBulk): Promise<void> {
  // A transaction's client hands out the transaction's connection, and its release leaves it to the transaction.
  const client = trx.client as TransactionClient;
  const connection = await client.acquireConnection();
  try {
    const copy = connection.query(
      copyFrom(`copy individual_transfers (transfer_id, bulk_id, line_number, payee_party_id_type, payee_party_identifier, amount, currency, status, expected_payee_name)
        from stdin`),
    );
    await pipeline(Readable.from(copyRows(bulk)), copy);
  } finally {
    await client.releaseConnection(connection);
  }
  await expectRollNames(trx, bulk);
}

/**
 * A line paying someone on the organization's pension roll expects the roll's name, whatever the file's `nom` says:
 * the roll is the fund's register of its pensioners (see the README's "Payee name check").
 */
async function expectRollNames(trx: Knex.Transaction, bulk: NewBulk): Promise<void> {
  await trx.raw(
    `update individual_transfers t set expected_payee_name = b.full_name
       from beneficiaries b
      where t.bulk_id = ? and b.organization_id = ?
        and b.party_id_type = t.payee_party_id_type and b.party_identifier = t.payee_party_identifier
        and t.expected_payee_name is distinct from b.full_name`,
    [bulk.bulkId, bulk.organizationId],
  );
}

/** The part of knex's (untyped) client a transaction lends its connection through. */
interface TransactionClient {
  acquireConnection(): Promise<PoolClient>;
  releaseConnection(connection: PoolClient): Promise<void>;
}

/** The lines as COPY text format: one row per line, tab-separated, fields escaped. */
function* copyRows(bulk: NewBulk): Generator<string> {
  const { lines } = bulk;
  const fixed = { bulkId: copyField(bulk.bulkId), currency: copyField(bulk.currency) };
  for (let start = 0; start < lines.count; start += COPY_CHUNK_LINES) {
    const end = Math.min(start + COPY_CHUNK_LINES, lines.count);
    const now = Date.now();
    let chunk = '';
    for (let i = start; i < end; i += 1) {
      chunk +=
        `${uuidV7(now, randomUUID())}\t${fixed.bulkId}\t${lines.lineNumbers[i]}\t${copyField(lines.partyIdTypes[i]!)}\t${copyField(lines.identifiers[i]!)}\t` +
        `${lines.amounts[i]}\t${fixed.currency}\tPENDING\t${copyNullable(lines.expectedNames[i] ?? null)}\n`;
    }
    yield chunk;
  }
}

/** COPY's text format gives backslash, tab, line feed and carriage return a meaning: escaped, a value stays itself. */
function copyField(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

/** `\N` is COPY's null. */
function copyNullable(value: string | null): string {
  return value === null ? '\\N' : copyField(value);
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}
