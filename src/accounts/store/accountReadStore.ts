/**
 * What the accounts routes show, as SQL: accounts with their money, and an account's statement (its journal,
 * oldest first, so balance_after reads as a running balance). Organization scoping is the route's; these take ids.
 * Money leaves here as bigint minor units; the routes write them as exact JSON integers (src/api/json.ts).
 */
import type { PartyIdType } from '../../domain/partyIdTypes';
import type { Knex } from 'knex';
import type { JournalKind } from '../rules/journalRules';
import type { JournalRow } from './journalStore';

export interface AccountSummary {
  account_id: string;
  party_id_type: PartyIdType;
  party_identifier: string;
  currency: string;
  balance: bigint;
  reserved: bigint;
  /** balance - reserved: what a new bulk may use. */
  available: bigint;
}

interface AccountColumns {
  id: number;
  account_id: string;
  organization_id: number;
  party_id_type: PartyIdType;
  party_identifier: string;
  currency: string;
  balance: string;
  reserved: string;
}

const ACCOUNT_COLUMNS = [
  'id',
  'account_id',
  'organization_id',
  'party_id_type',
  'party_identifier',
  'currency',
  'balance',
  'reserved',
] as const;

/** Accounts in creation order; all organizations' when `organizationId` is null (staff). */
export async function listAccounts(
  knex: Knex,
  filter: { organizationId: number | null; limit: number; offset: number },
): Promise<{ total: number; results: AccountSummary[] }> {
  const matching = knex('accounts');
  if (filter.organizationId !== null) matching.where('organization_id', filter.organizationId);
  const [counted] = await matching.clone().count<Array<{ count: string }>>('* as count');
  const rows = await matching
    .clone()
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .select<AccountColumns[]>(ACCOUNT_COLUMNS);
  return { total: Number(counted?.count ?? 0), results: rows.map(toAccountSummary) };
}

export interface AccountRecord {
  id: number;
  account_id: string;
  organization_id: number;
  currency: string;
}

/** By its public account_id (e.g. ACC-CNSS-001). */
export async function findAccount(knex: Knex, accountId: string): Promise<AccountRecord | null> {
  const row = await knex('accounts').where('account_id', accountId).first<AccountColumns | undefined>(ACCOUNT_COLUMNS);
  if (!row) return null;
  return {
    id: row.id,
    account_id: row.account_id,
    organization_id: row.organization_id,
    currency: row.currency.trim(),
  };
}

function toAccountSummary(row: AccountColumns): AccountSummary {
  const balance = BigInt(row.balance);
  const reserved = BigInt(row.reserved);
  return {
    account_id: row.account_id,
    party_id_type: row.party_id_type,
    party_identifier: row.party_identifier,
    // char(3) pads; a currency never has spaces.
    currency: row.currency.trim(),
    balance,
    reserved,
    available: balance - reserved,
  };
}

/** Columns of a statement entry, in the CSV's order and the JSON objects' key order. */
export const STATEMENT_COLUMNS = [
  'id',
  'kind',
  'amount',
  'bulk_id',
  'transfer_id',
  'reference',
  'balance_after',
  'reserved_after',
  'created_at',
] as const;

export interface StatementEntry {
  id: bigint;
  kind: JournalKind;
  amount: bigint;
  bulk_id: string | null;
  transfer_id: string | null;
  /** A deposit's reference (or the opening entries' note); null for payout entries. */
  reference: string | null;
  balance_after: bigint;
  reserved_after: bigint;
  /** ISO 8601, UTC. */
  created_at: string;
}

export function toStatementEntry(row: JournalRow): StatementEntry {
  return {
    id: BigInt(row.id),
    kind: row.kind,
    amount: BigInt(row.amount),
    bulk_id: row.bulk_id,
    transfer_id: row.transfer_id,
    reference: row.funding_reference,
    balance_after: BigInt(row.balance_after),
    reserved_after: BigInt(row.reserved_after),
    created_at: row.created_at.toISOString(),
  };
}

export interface StatementFilters {
  /** YYYY-MM-DD, inclusive, in UTC. */
  from: string | null;
  to: string | null;
}

const STATEMENT_ROW_COLUMNS = [
  'id',
  'kind',
  'amount',
  'bulk_id',
  'transfer_id',
  'funding_reference',
  'balance_after',
  'reserved_after',
  'created_at',
] as const;

function statementQuery(knex: Knex, accountId: number, filters: StatementFilters): Knex.QueryBuilder {
  const query = knex('account_journal').where('account_id', accountId);
  if (filters.from) query.andWhereRaw(`created_at >= (?::date)::timestamp at time zone 'UTC'`, [filters.from]);
  if (filters.to) query.andWhereRaw(`created_at < (?::date + 1)::timestamp at time zone 'UTC'`, [filters.to]);
  return query;
}

/** One page of the statement, oldest first, with the number of entries matching the filters. */
export async function statementPage(
  knex: Knex,
  accountId: number,
  filters: StatementFilters,
  page: { limit: number; offset: number },
): Promise<{ total: number; entries: StatementEntry[] }> {
  const [counted] = await statementQuery(knex, accountId, filters).count<Array<{ count: string }>>('* as count');
  const rows = await statementQuery(knex, accountId, filters)
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .select<JournalRow[]>(STATEMENT_ROW_COLUMNS);
  return { total: Number(counted?.count ?? 0), entries: rows.map(toStatementEntry) };
}

/**
 * Every entry matching the filters, a page at a time (keyset on the (account_id, id) index), for the CSV export:
 * an account paying 100,000 pensions a month has that many entries a month, never held in memory at once.
 */
export async function* statementPages(
  knex: Knex,
  accountId: number,
  filters: StatementFilters,
  pageSize = 1000,
): AsyncGenerator<StatementEntry[]> {
  let afterId = '0';
  for (;;) {
    const rows = await statementQuery(knex, accountId, filters)
      .andWhere('id', '>', afterId)
      .orderBy('id')
      .limit(pageSize)
      .select<JournalRow[]>(STATEMENT_ROW_COLUMNS);
    if (rows.length === 0) return;
    yield rows.map(toStatementEntry);
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < pageSize) return;
  }
}
