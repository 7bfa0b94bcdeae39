/**
 * Holding a bulk's total on the payer account. Inside the upload's transaction: the account row is locked first,
 * so two uploads on the same account are checked one after the other and cannot both spend the same money.
 */
import type { Knex } from 'knex';
import { applyAccountChange } from './journalStore';
import { formatMinorUnits } from '../../domain/money';
import { UnprocessableError } from '../../errors';

export interface LockedAccount {
  id: number;
  currency: string;
  /** Minor units. */
  balance: bigint;
  /** Minor units already held for bulks in flight. */
  reserved: bigint;
}

/** `select ... for update`: held until the transaction ends. Null when the account does not exist. */
export async function lockAccount(trx: Knex.Transaction, accountId: number): Promise<LockedAccount | null> {
  const row = await trx('accounts')
    .where('id', accountId)
    .forUpdate()
    .first<{ id: number; currency: string; balance: string; reserved: string } | undefined>(
      'id',
      'currency',
      'balance',
      'reserved',
    );
  if (!row) return null;
  return { id: row.id, currency: row.currency.trim(), balance: BigInt(row.balance), reserved: BigInt(row.reserved) };
}

/**
 * Reserves `amount` (minor units) for the bulk, journaled as one `reserve` row carrying the bulk id, or refuses
 * with 422 `insufficient_funds`, saying what is available and needed. The bulk row must exist already (the
 * journal row references it).
 */
export async function reserveFunds(
  trx: Knex.Transaction,
  account: LockedAccount,
  amount: bigint,
  bulkId: string,
): Promise<void> {
  const available = account.balance - account.reserved;
  if (available < amount) {
    const availableText = `${formatMinorUnits(available, account.currency)} ${account.currency}`;
    const requiredText = `${formatMinorUnits(amount, account.currency)} ${account.currency}`;
    throw new UnprocessableError(
      'insufficient_funds',
      {
        fr: `Fonds insuffisants : ${availableText} disponibles, ${requiredText} nécessaires.`,
        en: `Insufficient funds: ${availableText} available, ${requiredText} required.`,
      },
      { available: available.toString(), required: amount.toString(), currency: account.currency },
    );
  }
  await applyAccountChange(trx, { accountId: account.id, kind: 'reserve', amount, bulkId });
}
