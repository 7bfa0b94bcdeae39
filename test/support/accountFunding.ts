/**
 * Test accounts get their money the way real ones do: through the journal (src/accounts/store/journalStore.ts), so
 * test/support/journalInvariant.ts can check, after a payout, that the journal and the account still agree.
 */
import type { Knex } from 'knex';
import { applyAccountChange } from '../../src/accounts/store/journalStore';

/** A `fund` entry of `amount` minor units on accounts.id `accountId`; nothing when the amount is zero. */
export async function fundForTest(knex: Knex, accountId: number, amount: bigint): Promise<void> {
  if (amount === 0n) return;
  await knex.transaction((trx) =>
    applyAccountChange(trx, { accountId, kind: 'fund', amount, fundingReference: 'Test opening balance' }),
  );
}
