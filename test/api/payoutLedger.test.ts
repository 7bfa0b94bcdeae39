/** The guarded writes behind the payout steps, against the real Postgres: each one takes effect at most once. */
import { storeQuoteFigures } from '../../src/payouts/rules/paymentGates';
import { closeDb, db } from '../support/database';
import { beginBulk, closeBulk } from '../../src/payouts/store/bulkStore';
import {
  claimTransferSend,
  forgetPayeeDiscovery,
  listTransferPage,
  recordPayeeDiscovered,
  recordQuote,
  settleTransfer,
} from '../../src/payouts/store/lineStore';
import { accountMoney, createPayerAccount, forceBulkColumns, insertBulk } from '../support/payoutFixtures';
import { expectJournalAgrees } from '../support/journalInvariant';

const QUOTE_OF_2000 = storeQuoteFigures({
  transferAmount: { amount: 2000n, currency: 'XOF' },
  payeeReceiveAmount: { amount: 2000n, currency: 'XOF' },
  fee: null,
});

describe('payout ledger', () => {
  afterAll(closeDb);

  it('settles a paid line exactly once, however often it is repeated', async () => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000001', amount: 45000n }]);
    const [transferId] = bulk.transferIds as [string];
    await recordPayeeDiscovered(db(), transferId, { mojaloopTransferId: 'ml-1', payeeName: 'A', payeeFspId: 'fsp' });

    const outcome = { status: 'COMPLETED' as const, fulfilment: 'f', completedAt: null };
    const results = await Promise.all([1, 2, 3].map(() => settleTransfer(db(), transferId, outcome)));

    const paid = { status: 'COMPLETED', failureCode: null };
    expect(results).toEqual([paid, paid, paid]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 55000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    // A late failure of the same line changes nothing: the line is final.
    expect(await settleTransfer(db(), transferId, { status: 'FAILED', failureCode: 'x', failureMessage: 'x' })).toEqual(
      paid,
    );
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 55000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('releases the reservation of a failed line and records why', async () => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22990000404', amount: 30000n }]);
    const [transferId] = bulk.transferIds as [string];

    const settled = await settleTransfer(db(), transferId, {
      status: 'FAILED',
      failureCode: '3204',
      failureMessage: 'Party not found',
    });

    // The settlement answers the line's state as stored, without reading it again.
    expect(settled).toEqual({ status: 'FAILED', failureCode: '3204' });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    const row = await db()('individual_transfers').where('transfer_id', transferId).first();
    expect(row).toMatchObject({ status: 'FAILED', failure_code: '3204', failure_message: 'Party not found' });
    expect(row.completed_at).not.toBeNull();
  });

  it('answers a failure code as stored, cut to its column, the same from the settlement and from a repeat', async () => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22990000404', amount: 1000n }]);
    const [transferId] = bulk.transferIds as [string];
    const failure = { status: 'FAILED' as const, failureCode: 'x'.repeat(80), failureMessage: 'too long a code' };

    const first = await settleTransfer(db(), transferId, failure);
    const repeated = await settleTransfer(db(), transferId, failure);

    const row = await db()('individual_transfers').where('transfer_id', transferId).first();
    expect(row.failure_code).toBe('x'.repeat(64));
    expect(first).toEqual({ status: 'FAILED', failureCode: row.failure_code });
    expect(repeated).toEqual(first);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('never completes a line that was not processed (PENDING -> COMPLETED is refused)', async () => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000002', amount: 1000n }]);
    const [transferId] = bulk.transferIds as [string];
    expect(
      await settleTransfer(db(), transferId, { status: 'COMPLETED', fulfilment: null, completedAt: null }),
    ).toBeNull();
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100000n, reserved: 1000n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('lets only one caller claim the send, and then refuses to forget or fail the sent line', async () => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000003', amount: 2000n }], { state: 'PROCESSING' });
    const [transferId] = bulk.transferIds as [string];
    expect(await claimTransferSend(db(), transferId, 90_000)).toEqual({ claimed: false, refusal: null }); // no quote yet
    await recordPayeeDiscovered(db(), transferId, { mojaloopTransferId: 'ml-3', payeeName: null, payeeFspId: null });
    await recordQuote(db(), transferId, 'ml-3', {
      quoteId: 'q-3',
      feeAmount: 0n,
      quoteExpiration: null,
      figures: QUOTE_OF_2000,
    });

    const claims = await Promise.all([1, 2, 3].map(() => claimTransferSend(db(), transferId, 90_000)));
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
    // The claim fixes until when the transfer may commit: its send time plus the expiry given.
    const sent = await db()('individual_transfers')
      .where('transfer_id', transferId)
      .first('transfer_sent_at', 'transfer_expiration');
    expect(sent.transfer_expiration.getTime() - sent.transfer_sent_at.getTime()).toBe(90_000);

    expect(await forgetPayeeDiscovery(db(), transferId, 'ml-3')).toBe(false);
    expect(
      await recordPayeeDiscovered(db(), transferId, { mojaloopTransferId: 'ml-4', payeeName: null, payeeFspId: null }),
    ).toBe(false);
    const failure = { status: 'FAILED' as const, failureCode: 'switch_unavailable', failureMessage: 'gave up' };
    expect(await settleTransfer(db(), transferId, failure, { onlyIfNotSent: true })).toBeNull();
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100000n, reserved: 2000n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it.each([
    ['awaiting approval', { state: 'AWAITING_APPROVAL' }, 'bulk_not_payable'],
    ['processing but never approved', { state: 'PROCESSING', approvalRequired: true }, 'bulk_not_payable'],
    ['cancelled', { state: 'PROCESSING', cancelled_at: new Date() }, 'bulk_cancelled'],
    ['ended', { state: 'COMPLETED' }, 'bulk_not_payable'],
    ['of a deactivated organization', { state: 'PROCESSING', organizationInactive: true }, 'organization_inactive'],
  ] as const)('refuses to claim the send of a quoted line whose bulk is %s', async (_case, bulkState, code) => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000004', amount: 2000n }], { state: 'PROCESSING' });
    const [transferId] = bulk.transferIds as [string];
    await recordPayeeDiscovered(db(), transferId, { mojaloopTransferId: 'ml-5', payeeName: null, payeeFspId: null });
    await recordQuote(db(), transferId, 'ml-5', {
      quoteId: 'q-5',
      feeAmount: 0n,
      quoteExpiration: null,
      figures: QUOTE_OF_2000,
    });
    const { organizationInactive, approvalRequired, ...columns } = {
      organizationInactive: false,
      approvalRequired: false,
      ...bulkState,
    };
    // An ended bulk with a line still PROCESSING is a state Postgres refuses: forced, to show the claim refuses it too.
    await forceBulkColumns(db(), bulk.bulkId, { ...columns, approval_required: approvalRequired });
    if (organizationInactive)
      await db()('organizations').where('id', payer.organizationId).update({ is_active: false });

    const claim = await claimTransferSend(db(), transferId, 90_000);

    expect(claim).toMatchObject({ claimed: false, refusal: { code } });
    const line = await db()('individual_transfers')
      .where('transfer_id', transferId)
      .first('status', 'transfer_sent_at');
    expect(line).toEqual({ status: 'PROCESSING', transfer_sent_at: null });
  });

  it('begins a bulk from PENDING, pages its lines by line number and closes it once every line ended', async () => {
    const payer = await createPayerAccount(db(), 100000n);
    const bulk = await insertBulk(
      db(),
      payer,
      [1, 2, 3, 4, 5].map((n) => ({ msisdn: `2299700001${n}`, amount: 100n })),
    );

    expect(await beginBulk(db(), bulk.bulkId, 60_000)).toMatchObject({
      state: 'PROCESSING',
      total: 5,
      organizationCode: payer.organizationCode,
    });
    const firstPage = await listTransferPage(db(), bulk.bulkId, 0, 2);
    const secondPage = await listTransferPage(db(), bulk.bulkId, firstPage[1]!.lineNumber, 2);
    expect(firstPage.map((line) => line.lineNumber)).toEqual([1, 2]);
    expect(secondPage.map((line) => line.lineNumber)).toEqual([3, 4]);
    expect(secondPage[0]).toMatchObject({
      transferId: bulk.transferIds[2],
      status: 'PENDING',
      payeeIdentifier: '22997000013',
      amount: '100',
    });

    expect((await closeBulk(db(), bulk.bulkId)).outcome).toEqual({ state: 'UNFINISHED', unfinished: 5 });
    for (const transferId of bulk.transferIds) {
      await settleTransfer(db(), transferId, {
        status: 'FAILED',
        failureCode: '3204',
        failureMessage: 'Party not found',
      });
    }
    const closed = await closeBulk(db(), bulk.bulkId);
    expect(closed.outcome).toEqual({ state: 'FAILED', failureReason: 'None of the 5 transfers was paid.' });
    const row = await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first();
    expect(row).toMatchObject({ state: 'FAILED', failure_reason: 'None of the 5 transfers was paid.' });
    expect(row.completed_at).not.toBeNull();
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });
});
