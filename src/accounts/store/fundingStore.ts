/**
 * Deposits: money a staff user records as arrived on an account (a bank transfer from the fund's treasury, ...),
 * journaled as a `fund` entry. Idempotent by the caller's key, per account: a deposit retried after a timeout is
 * recorded once, and the same key used for a different deposit is refused rather than silently ignored. A balance
 * stays at most Number.MAX_SAFE_INTEGER: amounts are JSON integers on the wire, which every reader reads exactly
 * only below 2^53.
 */
import type { Knex } from 'knex';
import { ConflictError, MESSAGES, NotFoundError, UnprocessableError } from '../../errors';
import { lockAccount } from './reservationStore';
import { applyAccountChange, JOURNAL_COLUMNS, type JournalRow } from './journalStore';

export interface DepositRequest {
  /** accounts.id (internal). */
  accountId: number;
  /** Minor units, > 0. */
  amount: bigint;
  /** What the money is (the bank's reference, ...), shown on the statement. */
  reference: string;
  idempotencyKey: string;
  actor: { userId: number };
}

export interface DepositOutcome {
  entry: JournalRow;
  /** True when the key had already recorded this deposit: nothing was added now. */
  replayed: boolean;
}

export async function fundAccount(knex: Knex, deposit: DepositRequest): Promise<DepositOutcome> {
  return knex.transaction(async (trx) => {
    // Under the account's lock, a concurrent retry with the same key waits, then finds the first deposit.
    const account = await lockAccount(trx, deposit.accountId);
    if (!account) throw new NotFoundError('not_found', MESSAGES.notFound);
    const earlier = await trx('account_journal')
      .where({ account_id: deposit.accountId, idempotency_key: deposit.idempotencyKey })
      .first<JournalRow | undefined>(JOURNAL_COLUMNS);
    if (earlier) return { entry: sameDepositOrRefuse(earlier, deposit), replayed: true };
    refuseBeyondExactIntegers(account.balance, deposit.amount);
    const entry = await applyAccountChange(trx, {
      accountId: deposit.accountId,
      kind: 'fund',
      amount: deposit.amount,
      fundingReference: deposit.reference,
      idempotencyKey: deposit.idempotencyKey,
      createdById: deposit.actor.userId,
    });
    return { entry, replayed: false };
  });
}

/** The earlier entry when it is this very deposit again; 409 `idempotency_key_reused` when it is another one. */
function sameDepositOrRefuse(earlier: JournalRow, deposit: DepositRequest): JournalRow {
  const same =
    earlier.kind === 'fund' &&
    BigInt(earlier.amount) === deposit.amount &&
    earlier.funding_reference === deposit.reference;
  if (same) return earlier;
  throw new ConflictError(
    'idempotency_key_reused',
    {
      fr: 'Cette Idempotency-Key a déjà servi pour un autre dépôt sur ce compte. Utilisez une nouvelle clé pour un nouveau dépôt.',
      en: 'This Idempotency-Key was already used for another deposit on this account. Use a new key for a new deposit.',
    },
    { entry_id: Number(earlier.id) },
  );
}

/** 422 `balance_limit_exceeded` when the deposit would take the balance past what a JSON reader reads exactly. */
function refuseBeyondExactIntegers(balance: bigint, amount: bigint): void {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (balance + amount <= limit) return;
  throw new UnprocessableError(
    'balance_limit_exceeded',
    {
      fr: `Ce dépôt porterait le solde au-delà de ${limit} unités, la limite des montants exacts.`,
      en: `This deposit would take the balance beyond ${limit} units, the limit of exact amounts.`,
    },
    // Each below 2^53 (the balance by this very rule, the amount by the request's schema): exact as numbers.
    { balance: Number(balance), amount: Number(amount), limit: Number.MAX_SAFE_INTEGER },
  );
}
