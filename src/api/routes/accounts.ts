/**
 * /api/accounts: the payer accounts with their money, each account's statement (its journal), and deposits
 * (src/accounts/accountUseCases.ts). Money is answered as JSON integers of minor units (XOF has none).
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  accountStatement,
  readableAccount,
  recordDeposit,
  statementRows,
  visibleAccounts,
} from '../../accounts/accountUseCases';
import { STATEMENT_COLUMNS } from '../../accounts/store/accountReadStore';
import { ValidationError } from '../../errors';
import { csvChunks } from '../../reports/csv';
import { CSV, downloadHeaders } from '../http/downloads';
import { CanReadAccounts, IsAdminUser } from '../http/guards';
import { idempotencyKeyHeader, idempotencyKeyOf } from '../http/idempotencyKey';
import { queryChoice, queryDate, queryId, queryInteger } from '../http/queryParams';
import { invalidFilter } from '../http/requestParsing';
import { defineRoute } from '../http/routeDefinition';
import { AccountList, Deposit, DepositRequest, Statement } from '../schemas/accounts';

const tag = 'accounts';
const readers = { kind: 'user', guards: [CanReadAccounts] } as const;
const AccountParams = z.object({
  account_id: z.string().max(64).meta({ description: "The account's account_id (e.g. ACC-CNSS-001)." }),
});

const list = defineRoute({
  method: 'get',
  path: '/api/accounts',
  operationId: 'listAccounts',
  tag,
  summary: "The caller's organization's accounts with their money (staff: every organization's)",
  access: readers,
  query: z.object({
    organization_id: queryId().meta({
      description: "Staff: only this organization's accounts. Others: their own organization's id, or nothing matches.",
    }),
    limit: queryInteger({ defaultValue: 100, min: 1, max: 500 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of accounts.', schema: AccountList } },
  handler: async ({ scope, user, query }) => {
    return {
      status: 200,
      body: await visibleAccounts(scope, user, query.organization_id, { limit: query.limit, offset: query.offset }),
    };
  },
});

const statement = defineRoute({
  method: 'get',
  path: '/api/accounts/:account_id/statement',
  operationId: 'getAccountStatement',
  tag,
  summary: "An account's journal, oldest first: every change to its money (CSV with `format=csv`)",
  access: readers,
  params: AccountParams,
  query: z.object({
    from: queryDate().meta({ description: 'Entries on or after this day (UTC).' }),
    to: queryDate().meta({ description: 'Entries on or before this day (UTC).' }),
    format: queryChoice(['JSON', 'CSV']).meta({
      description: '`json` (the default, paged) or `csv` (every entry, downloaded).',
    }),
    limit: queryInteger({ defaultValue: 100, min: 1, max: 1000 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: {
    200: { description: 'A page of the journal, or all of it as CSV.', schema: Statement, alternatives: [CSV] },
  },
  handler: async ({ scope, user, params, query }) => {
    const account = await readableAccount(scope, user, params.account_id);
    const filters = { from: query.from, to: query.to };
    if (filters.from && filters.to && filters.from > filters.to)
      throw invalidFilter('to', { fr: 'to est avant from.', en: 'to is before from.' });
    if (query.format === 'CSV') {
      const rows = Readable.from(csvChunks(STATEMENT_COLUMNS, statementRows(scope, account, filters)));
      return {
        status: 200,
        body: rows,
        contentType: CSV,
        headers: downloadHeaders(`statement-${account.account_id}.csv`),
      };
    }
    return {
      status: 200,
      body: await accountStatement(scope, account, filters, { limit: query.limit, offset: query.offset }),
    };
  },
});

const deposit = defineRoute({
  method: 'post',
  path: '/api/accounts/:account_id/deposits',
  operationId: 'recordDeposit',
  tag,
  summary: 'Record money received on an account (staff); idempotent by its required Idempotency-Key',
  access: { kind: 'user', guards: [IsAdminUser] },
  params: AccountParams,
  headers: idempotencyKeyHeader('Required: a retried deposit with the same key is recorded once.', true),
  body: { kind: 'json', schema: DepositRequest },
  answers: {
    201: { description: 'Recorded: a `fund` entry of the journal.', schema: Deposit },
    200: {
      description: 'Recorded earlier with this Idempotency-Key: the same entry (header `Idempotent-Replayed: true`).',
      schema: Deposit,
      headers: { 'Idempotent-Replayed': { description: 'true', required: true } },
    },
  },
  errors: {
    400: ['idempotency_key_required', 'invalid_idempotency_key'],
    409: ['idempotency_key_reused'],
    422: ['balance_limit_exceeded'],
  },
  handler: async ({ scope, ctx, user, params, body }) => {
    const idempotencyKey = requiredIdempotencyKey(idempotencyKeyOf(ctx));
    const request = {
      accountId: params.account_id,
      amount: BigInt(body.amount),
      reference: body.reference,
      idempotencyKey,
    };
    const { replayed, deposit } = await recordDeposit(scope, user, request);
    if (replayed) return { status: 200, body: deposit, headers: { 'Idempotent-Replayed': 'true' } };
    return { status: 201, body: deposit };
  },
});

/** A deposit must be retriable without being recorded twice: the key is what makes it so, hence required. */
function requiredIdempotencyKey(key: string | null): string {
  if (key !== null) return key;
  throw new ValidationError(
    'idempotency_key_required',
    {
      fr: "Envoyez un en-tête Idempotency-Key : un dépôt renvoyé avec la même clé n'est enregistré qu'une fois.",
      en: 'Send an Idempotency-Key header: a retried deposit with the same key is recorded once.',
    },
    { field: 'Idempotency-Key' },
  );
}

export const accountRoutes = [list, statement, deposit];
