/**
 * The use-cases of /api/accounts: the accounts a caller may see, an account's statement (its journal), and a
 * deposit. Any user of the account's organization reads it; staff read every organization's; another
 * organization's account is 404, never 403. Deposits: staff only, with a required Idempotency-Key, each audited.
 */
import type { Knex } from 'knex';
import { type AuditContext, recordAudit } from '../audit/auditLog';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { assertSameOrganization, notFound } from '../organizations/organizationScope';
import { auditContextOf, type RequestScope } from '../requests/requestScope';
import {
  type AccountRecord,
  type AccountSummary,
  findAccount,
  listAccounts,
  type StatementEntry,
  statementPage,
  statementPages,
  type StatementFilters,
  toStatementEntry,
} from './store/accountReadStore';
import type { JournalRow } from './store/journalStore';
import { fundAccount } from './store/fundingStore';

/** Staff: every organization, or the one asked for. Others: their own; asking for another's matches nothing. */
export async function visibleAccounts(
  scope: RequestScope,
  user: AuthenticatedUser,
  requested: number | null,
  page: { limit: number; offset: number },
) {
  const visible = user.isStaff || requested === null || requested === user.organizationId;
  const organizationId = user.isStaff ? requested : user.organizationId;
  const { total, results } = visible
    ? await listAccounts(scope.db, { organizationId, ...page })
    : { total: 0, results: [] };
  return { total, count: results.length, ...page, results: results.map(accountView) };
}

// Spelled out, so a field added to the read model is a choice here, not a leak.
function accountView(account: AccountSummary) {
  const { account_id, party_id_type, party_identifier, currency, balance, reserved, available } = account;
  return { account_id, party_id_type, party_identifier, currency, balance, reserved, available };
}

function entryView(entry: StatementEntry) {
  const { id, kind, amount, bulk_id, transfer_id, reference, balance_after, reserved_after, created_at } = entry;
  return { id, kind, amount, bulk_id, transfer_id, reference, balance_after, reserved_after, created_at };
}

/** The account if the caller may read it (staff, or a user of its organization); otherwise 404. */
export async function readableAccount(
  scope: RequestScope,
  user: AuthenticatedUser,
  accountId: string,
): Promise<AccountRecord> {
  const account = await findAccount(scope.db, accountId);
  if (!account) throw notFound();
  if (!user.isStaff) assertSameOrganization(user, account.organization_id);
  return account;
}

export async function accountStatement(
  scope: RequestScope,
  account: AccountRecord,
  filters: StatementFilters,
  page: { limit: number; offset: number },
) {
  const { total, entries } = await statementPage(scope.db, account.id, filters, page);
  return {
    account_id: account.account_id,
    currency: account.currency,
    total,
    count: entries.length,
    ...page,
    results: entries.map(entryView),
  };
}

export function statementRows(scope: RequestScope, account: AccountRecord, filters: StatementFilters) {
  return statementPages(scope.db, account.id, filters);
}

export interface DepositRequest {
  accountId: string;
  amount: bigint;
  reference: string;
  idempotencyKey: string;
}

/**
 * The deposit and its audit record are one transaction (fundAccount's own becomes a savepoint in it); a replay (the
 * same Idempotency-Key) adds neither a journal entry nor an audit record.
 */
export async function recordDeposit(scope: RequestScope, user: AuthenticatedUser, request: DepositRequest) {
  const audit = auditContextOf(scope, user);
  const account = await findAccount(scope.db, request.accountId);
  if (!account) throw notFound();
  const outcome = await scope.db.transaction(async (trx) => {
    const funded = await fundAccount(trx, {
      accountId: account.id,
      amount: request.amount,
      reference: request.reference,
      idempotencyKey: request.idempotencyKey,
      actor: { userId: audit.actor.userId },
    });
    if (!funded.replayed) await auditDeposit(trx, audit, account, request, funded.entry);
    return funded;
  });
  scope.log.info(
    {
      accountId: account.account_id,
      entryId: outcome.entry.id,
      replayed: outcome.replayed,
      userId: audit.actor.userId,
    },
    'deposit recorded',
  );
  const deposit = {
    account_id: account.account_id,
    currency: account.currency,
    idempotency_key: request.idempotencyKey,
    ...entryView(toStatementEntry(outcome.entry)),
    kind: 'fund' as const,
  };
  return { replayed: outcome.replayed, deposit };
}

async function auditDeposit(
  trx: Knex.Transaction,
  audit: AuditContext,
  account: AccountRecord,
  request: DepositRequest,
  entry: JournalRow,
) {
  const balanceAfter = BigInt(entry.balance_after);
  await recordAudit(trx, {
    ...audit,
    kind: 'account.deposit',
    organizationId: account.organization_id,
    subject: { type: 'account', id: account.account_id },
    before: { balance: balanceAfter - request.amount },
    after: {
      balance: balanceAfter,
      amount: request.amount,
      reference: request.reference,
      idempotency_key: request.idempotencyKey,
      journal_entry_id: Number(entry.id),
    },
  });
}
