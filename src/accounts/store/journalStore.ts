/**
 * The one place an account's money changes: the guarded UPDATE of accounts.balance / reserved, `returning` what
 * it left, and the journal row(s) saying why, in the caller's transaction. Whatever moves money (reservation,
 * settlement, cancel, deposit, demo data) calls this, so the journal and the account always agree.
 */
import type { Knex } from 'knex';
import {
  type AccountMoney,
  combinedEffect,
  isConsistentMoney,
  type JournalKind,
  runningMoney,
} from '../rules/journalRules';

/** What one journal row says besides its account; ids link it to what caused it. */
export interface JournalEntryInput {
  kind: JournalKind;
  /** Minor units, > 0: the kind carries the sign. */
  amount: bigint;
  bulkId?: string | null;
  transferId?: string | null;
  /** The line's attempt (retry-failed pays a line again as a new attempt, which settles on its own). */
  attempt?: number | null;
  fundingReference?: string | null;
  idempotencyKey?: string | null;
  createdById?: number | null;
}

export interface AccountChange extends JournalEntryInput {
  /** accounts.id (internal). */
  accountId: number;
}

/** A row of account_journal as Postgres returns it (bigint columns as decimal strings, see src/db/knex.ts). */
export interface JournalRow {
  id: string;
  account_id: number;
  kind: JournalKind;
  amount: string;
  bulk_id: string | null;
  transfer_id: string | null;
  attempt: number | null;
  funding_reference: string | null;
  idempotency_key: string | null;
  balance_after: string;
  reserved_after: string;
  created_by_id: number | null;
  created_at: Date;
}

export const JOURNAL_COLUMNS = [
  'id',
  'account_id',
  'kind',
  'amount',
  'bulk_id',
  'transfer_id',
  'attempt',
  'funding_reference',
  'idempotency_key',
  'balance_after',
  'reserved_after',
  'created_by_id',
  'created_at',
] as const satisfies readonly (keyof JournalRow)[];

/** Thrown when a change would hold more than the balance or give back more than is held: a bug, never a user error. */
class AccountChangeRefusedError extends Error {
  constructor(
    readonly accountId: number,
    readonly attempted: AccountMoney | null,
  ) {
    super(
      attempted === null
        ? `Account ${accountId} does not exist.`
        : `Account ${accountId} cannot go to balance ${attempted.balance}, reserved ${attempted.reserved}.`,
    );
    this.name = 'AccountChangeRefusedError';
  }
}

export async function applyAccountChange(trx: Knex.Transaction, change: AccountChange): Promise<JournalRow> {
  const { accountId, ...entry } = change;
  const [row] = await applyAccountChanges(trx, accountId, [entry]);
  return row!;
}

/**
 * Several entries on one account as ONE update of the account and ONE insert (a cancel of 100,000 lines must not
 * be 100,000 round trips), each row carrying the running balance after it, as if applied one by one.
 * Rows come back in journal order.
 */
export async function applyAccountChanges(
  trx: Knex.Transaction,
  accountId: number,
  entries: readonly JournalEntryInput[],
): Promise<JournalRow[]> {
  if (entries.length === 0) return [];
  const effect = combinedEffect(entries);
  const after = await updateAccountMoney(trx, accountId, effect);
  const before: AccountMoney = {
    balance: after.balance - effect.balanceDelta,
    reserved: after.reserved - effect.reservedDelta,
  };
  const running = runningMoney(before, entries);
  // The update's guard checked the end state; a mixed batch could pass through an impossible one on the way.
  const impossible = running.find((money) => !isConsistentMoney(money));
  if (impossible) throw new AccountChangeRefusedError(accountId, impossible);
  return insertJournalRows(trx, accountId, entries, running);
}

/**
 * The guarded update: refused (no row) when the result would break reserved >= 0 or reserved <= balance. The
 * database's check constraints refuse it too; the guard turns that into an error that says what was attempted.
 * The statement takes the account's row lock, held to the end of the transaction: journal ids of one account are
 * therefore in the order of its changes.
 */
async function updateAccountMoney(
  trx: Knex.Transaction,
  accountId: number,
  effect: { balanceDelta: bigint; reservedDelta: bigint },
): Promise<AccountMoney> {
  const balanceDelta = effect.balanceDelta.toString();
  const reservedDelta = effect.reservedDelta.toString();
  const result = await trx.raw<{ rows: Array<{ balance: string; reserved: string }> }>(
    `update accounts
        set balance = balance + ?::bigint, reserved = reserved + ?::bigint, updated_at = now()
      where id = ?
        and reserved + ?::bigint >= 0
        and reserved + ?::bigint <= balance + ?::bigint
      returning balance, reserved`,
    [balanceDelta, reservedDelta, accountId, reservedDelta, reservedDelta, balanceDelta],
  );
  const row = result.rows[0];
  if (row) return { balance: BigInt(row.balance), reserved: BigInt(row.reserved) };
  throw await refusal(trx, accountId, effect);
}

async function refusal(
  trx: Knex.Transaction,
  accountId: number,
  effect: { balanceDelta: bigint; reservedDelta: bigint },
): Promise<AccountChangeRefusedError> {
  const current = await trx('accounts')
    .where('id', accountId)
    .first<{ balance: string; reserved: string } | undefined>('balance', 'reserved');
  if (!current) return new AccountChangeRefusedError(accountId, null);
  return new AccountChangeRefusedError(accountId, {
    balance: BigInt(current.balance) + effect.balanceDelta,
    reserved: BigInt(current.reserved) + effect.reservedDelta,
  });
}

/**
 * One INSERT of every row, the rows as one JSON parameter (bigints as strings), so the statement's size does not
 * grow with the batch and null ids pass as they are.
 */
async function insertJournalRows(
  trx: Knex.Transaction,
  accountId: number,
  entries: readonly JournalEntryInput[],
  running: readonly AccountMoney[],
): Promise<JournalRow[]> {
  const rows = entries.map((entry, index) => ({
    kind: entry.kind,
    amount: entry.amount.toString(),
    bulk_id: entry.bulkId ?? null,
    transfer_id: entry.transferId ?? null,
    attempt: entry.attempt ?? null,
    funding_reference: entry.fundingReference ?? null,
    idempotency_key: entry.idempotencyKey ?? null,
    balance_after: running[index]!.balance.toString(),
    reserved_after: running[index]!.reserved.toString(),
    created_by_id: entry.createdById ?? null,
  }));
  const result = await trx.raw<{ rows: JournalRow[] }>(
    `insert into account_journal
       (account_id, kind, amount, bulk_id, transfer_id, attempt, funding_reference, idempotency_key,
        balance_after, reserved_after, created_by_id)
     select ?::integer, e.kind, e.amount, e.bulk_id, e.transfer_id, e.attempt, e.funding_reference, e.idempotency_key,
            e.balance_after, e.reserved_after, e.created_by_id
       from rows from (jsonb_to_recordset(?::jsonb)
              as (kind text, amount bigint, bulk_id uuid, transfer_id uuid, attempt integer, funding_reference text,
                  idempotency_key text, balance_after bigint, reserved_after bigint, created_by_id integer))
            with ordinality
            as e(kind, amount, bulk_id, transfer_id, attempt, funding_reference, idempotency_key, balance_after,
                 reserved_after, created_by_id, position)
      order by e.position
     returning ${JOURNAL_COLUMNS.join(', ')}`,
    [accountId, JSON.stringify(rows)],
  );
  // Ids follow the insert's order; sorting makes that explicit for the caller rather than trusting `returning`.
  return [...result.rows].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
