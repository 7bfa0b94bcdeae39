/**
 * /api/accounts: the payer accounts with their money, each account's statement (its journal), and deposits.
 *
 * Reads: any user of the account's organization (GESTIONNAIRE or SUPERVISEUR); staff read every organization's.
 * Another organization's account is 404, never 403: its existence is not disclosed. Deposits: staff only, with a
 * required Idempotency-Key. Money is answered as JSON integers of minor units (XOF has none), written from the
 * bigint itself (src/api/json.ts): exact at any size, never a float, never a string.
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import {
  AccountRecord,
  AccountSummary,
  findAccount,
  listAccounts,
  StatementEntry,
  statementPage,
  statementPages,
  STATEMENT_COLUMNS,
  StatementFilters,
  toStatementEntry,
} from '../../accounts/accountReads';
import { fundAccount } from '../../accounts/funding';
import { parseBody } from '../../auth/bodyValidation';
import { db } from '../../db/knex';
import { MESSAGES, NotFoundError, ValidationError } from '../../errors';
import { csvChunks } from '../../reports/csv';
import type { AppDependencies } from '../app';
import { JsonValue, respondJson } from '../json';
import type { AuthenticatedUser } from '../context';
import { authenticate } from '../middleware/authenticate';
import { assertSameOrganization, CanReadAccounts, currentUser, IsAdminUser } from '../middleware/permissions';
import { jsonBody } from './auth';
import { sendAsDownload } from './bulkReports';
import { dateFilter, integerParam, invalidFilter, singleQueryValue } from './bulkTransfers';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const MAX_ORGANIZATION_ID = 2_147_483_647;

const DepositBody = z
  .object({
    // A JSON integer of minor units: a string or a fraction is refused, not read.
    amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    reference: z.string().trim().min(1).max(255),
  })
  .strict();

export function accountsRouter(deps: AppDependencies): Router {
  const router = new Router({ prefix: '/api/accounts' });
  const readers = [authenticate(deps.config), CanReadAccounts];

  router.get('/', ...readers, async (ctx) => {
    const limit = integerParam(ctx.query.limit, 'limit', { defaultValue: 100, min: 1, max: 500 });
    const offset = integerParam(ctx.query.offset, 'offset', { defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const scope = organizationScope(currentUser(ctx), organizationIdParam(ctx));
    const { total, results } = scope.visible
      ? await listAccounts(db(), { organizationId: scope.organizationId, limit, offset })
      : { total: 0, results: [] };
    respondJson(ctx, 200, { total, count: results.length, limit, offset, results: results.map(accountJson) });
  });

  router.get('/:account_id/statement', ...readers, async (ctx) => {
    const account = await readableAccount(ctx);
    const filters = statementFilters(ctx);
    if (formatParam(ctx) === 'csv') {
      sendAsDownload(ctx, `statement-${account.account_id}.csv`, 'text/csv; charset=utf-8');
      ctx.body = Readable.from(csvChunks(STATEMENT_COLUMNS, statementPages(db(), account.id, filters)));
      return;
    }
    const limit = integerParam(ctx.query.limit, 'limit', { defaultValue: 100, min: 1, max: 1000 });
    const offset = integerParam(ctx.query.offset, 'offset', { defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const { total, entries } = await statementPage(db(), account.id, filters, { limit, offset });
    respondJson(ctx, 200, {
      account_id: account.account_id,
      currency: account.currency,
      total,
      count: entries.length,
      limit,
      offset,
      results: entries.map(entryJson),
    });
  });

  router.post('/:account_id/deposits', authenticate(deps.config), IsAdminUser, jsonBody(deps.config), async (ctx) => {
    const idempotencyKey = requiredIdempotencyKey(ctx);
    const body = parseBody(DepositBody, ctx.request.body, ctx.language);
    const account = await accountNamed(ctx.params.account_id);
    const user = currentUser(ctx);
    const outcome = await fundAccount(db(), {
      accountId: account.id,
      amount: BigInt(body.amount),
      reference: body.reference,
      idempotencyKey,
      actor: { userId: user.id },
    });
    ctx.log.info({ accountId: account.account_id, entryId: outcome.entry.id, replayed: outcome.replayed, userId: user.id }, 'deposit recorded');
    if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
    respondJson(ctx, outcome.replayed ? 200 : 201, {
      account_id: account.account_id,
      currency: account.currency,
      idempotency_key: idempotencyKey,
      ...entryJson(toStatementEntry(outcome.entry)),
    });
  });

  return router;
}

// Spelled out, so a field added to the read model is a choice here, not a leak.
function accountJson(account: AccountSummary): JsonValue {
  return {
    account_id: account.account_id,
    party_id_type: account.party_id_type,
    party_identifier: account.party_identifier,
    currency: account.currency,
    balance: account.balance,
    reserved: account.reserved,
    available: account.available,
  };
}

function entryJson(entry: StatementEntry): { [key: string]: JsonValue } {
  return {
    id: entry.id,
    kind: entry.kind,
    amount: entry.amount,
    bulk_id: entry.bulk_id,
    transfer_id: entry.transfer_id,
    reference: entry.reference,
    balance_after: entry.balance_after,
    reserved_after: entry.reserved_after,
    created_at: entry.created_at,
  };
}

/** Staff: every organization, or the one asked for. Others: their own; asking for another's matches nothing. */
function organizationScope(user: AuthenticatedUser, requested: number | null): { visible: boolean; organizationId: number | null } {
  if (user.isStaff) return { visible: true, organizationId: requested };
  return { visible: requested === null || requested === user.organizationId, organizationId: user.organizationId };
}

function organizationIdParam(ctx: Context): number | null {
  const text = singleQueryValue(ctx.query.organization_id, 'organization_id');
  if (text === null || text === '') return null;
  return integerParam(text, 'organization_id', { defaultValue: 0, min: 1, max: MAX_ORGANIZATION_ID });
}

async function accountNamed(accountId: string | undefined): Promise<AccountRecord> {
  const account = accountId === undefined ? null : await findAccount(db(), accountId);
  if (!account) throw new NotFoundError('not_found', MESSAGES.notFound);
  return account;
}

/** The account if the caller may read it (staff, or a user of its organization); otherwise 404. */
async function readableAccount(ctx: Context): Promise<AccountRecord> {
  const account = await accountNamed(ctx.params.account_id);
  const user = currentUser(ctx);
  if (!user.isStaff) assertSameOrganization(user, account.organization_id);
  return account;
}

function statementFilters(ctx: Context): StatementFilters {
  const filters = { from: dateFilter(ctx.query.from, 'from'), to: dateFilter(ctx.query.to, 'to') };
  if (filters.from && filters.to && filters.from > filters.to) throw invalidFilter('to', { fr: 'to est antérieure à from.', en: 'to is before from.' });
  return filters;
}

function formatParam(ctx: Context): 'json' | 'csv' {
  const text = singleQueryValue(ctx.query.format, 'format');
  if (text === null || text === '' || text === 'json') return 'json';
  if (text === 'csv') return 'csv';
  throw invalidFilter('format', { fr: 'format doit valoir json ou csv.', en: 'format must be json or csv.' });
}

/** A deposit must be retriable without being recorded twice: the key is what makes it so, hence required. */
function requiredIdempotencyKey(ctx: Context): string {
  const key = ctx.get('Idempotency-Key').trim();
  if (key === '') {
    throw new ValidationError(
      'idempotency_key_required',
      {
        fr: "Envoyez un en-tête Idempotency-Key : un dépôt renvoyé avec la même clé n'est enregistré qu'une fois.",
        en: 'Send an Idempotency-Key header: a retried deposit with the same key is recorded once.',
      },
      { field: 'Idempotency-Key' },
    );
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError(
      'invalid_idempotency_key',
      {
        fr: `L'Idempotency-Key dépasse ${MAX_IDEMPOTENCY_KEY_LENGTH} caractères.`,
        en: `Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
      },
      { field: 'Idempotency-Key' },
    );
  }
  return key;
}
