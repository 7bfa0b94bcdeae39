/**
 * The line counts Postgres keeps per bulk and status (bulk_line_counts, kept by a trigger on individual_transfers),
 * which a bulk's progress reads: they follow every statement that adds, changes or removes lines, one line or many.
 */
import { randomUUID } from 'node:crypto';
import { closeDb, db } from '../support/database';
import { progressFromDatabase } from '../../src/payouts/store/bulkReadStore';
import { recordPayeeDiscovered, settleTransfer } from '../../src/payouts/store/lineStore';
import { expectJournalAgrees } from '../support/journalInvariant';
import { createPayerAccount, insertBulk } from '../support/payoutFixtures';

const lines = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({
    msisdn: `${prefix}${String(index).padStart(4, '0')}`,
    amount: 100n + BigInt(index),
  }));

describe('bulk line counts', () => {
  afterAll(closeDb);

  it('follow a bulk from its upload through discoveries, settlements and a many-line update', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, lines(5, '2299710'));
    const [first, second, ...rest] = bulk.transferIds as [string, string, ...string[]];
    expect(await progressFromDatabase(db(), bulk.bulkId)).toEqual({
      total: 5,
      completed: 0,
      failed: 0,
      pending: 5,
      processing: 0,
      held: 0,
    });

    for (const transferId of [first, second])
      await recordPayeeDiscovered(db(), transferId, {
        mojaloopTransferId: randomUUID(),
        payeeName: null,
        payeeFspId: null,
      });
    expect(await progressFromDatabase(db(), bulk.bulkId)).toMatchObject({ pending: 3, processing: 2, total: 5 });

    await settleTransfer(db(), first, { status: 'COMPLETED', fulfilment: null, completedAt: null });
    await settleTransfer(db(), second, { status: 'FAILED', failureCode: '5101', failureMessage: 'refused' });
    // Statements that change no line's status leave the counts as they are.
    await db()('individual_transfers').where('bulk_id', bulk.bulkId).update({ updated_at: db().fn.now() });
    expect(await progressFromDatabase(db(), bulk.bulkId)).toEqual({
      total: 5,
      completed: 1,
      failed: 1,
      pending: 3,
      processing: 0,
      held: 0,
    });

    // One statement failing every line left, as a cancel does.
    await db()('individual_transfers')
      .whereIn('transfer_id', rest)
      .update({ status: 'FAILED', failure_code: 'cancelled', failure_message: 'cancelled' });
    expect(await progressFromDatabase(db(), bulk.bulkId)).toMatchObject({ failed: 4, pending: 0, total: 5 });
  });

  it('follow lines removed, and leave the counts as they were when the transaction rolls back', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, lines(3, '2299711'));
    await db()
      .transaction(async (trx) => {
        await trx('individual_transfers').where('bulk_id', bulk.bulkId).whereNot('line_number', 1).del();
        expect(await progressFromDatabase(trx, bulk.bulkId)).toMatchObject({ total: 1, pending: 1 });
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await progressFromDatabase(db(), bulk.bulkId)).toMatchObject({ total: 3, pending: 3 });
  });

  it('stay right, without a deadlock, while many lines of one bulk settle at once', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, lines(30, '2299712'), { state: 'PROCESSING' });
    await Promise.all(
      bulk.transferIds.map((transferId) =>
        recordPayeeDiscovered(db(), transferId, {
          mojaloopTransferId: randomUUID(),
          payeeName: null,
          payeeFspId: null,
        }),
      ),
    );
    await Promise.all(
      bulk.transferIds.map((transferId, index) =>
        settleTransfer(
          db(),
          transferId,
          index % 3 === 0
            ? { status: 'FAILED', failureCode: '5101', failureMessage: 'refused' }
            : { status: 'COMPLETED', fulfilment: null, completedAt: null },
        ),
      ),
    );
    expect(await progressFromDatabase(db(), bulk.bulkId)).toEqual({
      total: 30,
      completed: 20,
      failed: 10,
      pending: 0,
      processing: 0,
      held: 0,
    });
    await expectJournalAgrees(db(), payer.accountId);
  });
});
