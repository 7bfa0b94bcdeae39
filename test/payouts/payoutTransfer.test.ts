/**
 * One line's workflow against the real peer, in the situations a bulk run rarely shows: a retried switch
 * timeout, a restart after the transfer was sent (it must be asked about, never sent again), a line started by
 * hand for a bulk that may not be paid, and quotes that are not the payment asked for.
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTransferActivities } from '../../activities/payouts/transferActivities';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { type PayoutTransferResult, workflowIdForLine } from '../../src/payouts/contract';
import {
  accountMoney,
  adapterClient,
  connectTemporal,
  countingAdapter,
  createPayerAccount,
  forceBulkColumns,
  insertBulk,
  type InsertedBulk,
  type PayerAccount,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from '../support/payoutHarness';
import { expectJournalAgrees } from '../support/journalInvariant';
import { payeeWhoseNextLookupTimesOut, readPeerLedger } from '../support/peerLedger';

type BulkOptions = Parameters<typeof insertBulk>[3];
/** As the bulk workflow leaves a bulk before it starts its lines. */
const PAYING: BulkOptions = { state: 'PROCESSING' };

describe('payout transfer workflow', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let calls: ReturnType<typeof countingAdapter>['calls'];
  const taskQueue = uniqueTaskQueue('transfer');

  let adapter: ReturnType<typeof countingAdapter>['adapter'];

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    const counting = countingAdapter(adapterClient(peer.outboundUrl));
    calls = counting.calls;
    adapter = counting.adapter;
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  /** What an operator can do from the Temporal CLI: start the line's workflow by hand, around the bulk's. */
  async function payLine(bulk: InsertedBulk): Promise<PayoutTransferResult> {
    const transferId = bulk.transferIds[0]!;
    // A Temporal Worker runs once (runUntil shuts it down): each line gets its own, on the same task queue.
    const worker = await payoutWorker(temporal, taskQueue, { db: db(), adapter });
    return worker.runUntil(
      temporal.client.workflow.execute('payoutTransferWorkflow', {
        workflowId: workflowIdForLine(bulk.bulkId, 1),
        taskQueue,
        args: [{ transferId }],
      }),
    );
  }

  /** The switch's ledger entries for this line (every FSPIOP transfer it received, committed or aborted). */
  async function transfersAtSwitch(bulk: InsertedBulk) {
    const ledger = await readPeerLedger();
    return ledger.filter((entry) => entry.homeTransactionId === bulk.transferIds[0]);
  }

  async function lineOf(bulk: InsertedBulk) {
    return db()('individual_transfers').where('transfer_id', bulk.transferIds[0]).first();
  }

  it('retries a payee whose switch times out at first, and pays it once', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(
      db(),
      payer,
      [{ msisdn: await payeeWhoseNextLookupTimesOut(), amount: 12000n }],
      PAYING,
    );
    const transferId = bulk.transferIds[0]!;

    const result = await payLine(bulk);

    expect(result).toEqual({ transferId, status: 'COMPLETED' });
    const line = await lineOf(bulk);
    expect(line).toMatchObject({ status: 'COMPLETED', failure_code: null });
    // Retried: more than one adapter transfer was started for this line (each with our id as homeTransactionId)...
    const attempts = calls.startTransfer.filter((id) => id === transferId).length;
    expect(attempts + calls.acceptParty.length).toBeGreaterThan(2);
    // ...but only the last one was sent, once.
    expect(calls.acceptQuote).toEqual([line.mojaloop_transfer_id]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 12000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('resolves a line already marked as sent by asking the switch, never by sending again', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000301', amount: 7000n }], PAYING);
    // The worker sent the transfer, then crashed before recording the outcome: the switch committed it.
    const sent = await sendThroughTheAdapter(payer, bulk, '22997000301', 7000n);
    await markAsSent(bulk, sent);
    const before = { acceptQuote: calls.acceptQuote.length, getTransfer: calls.getTransfer.length };

    const result = await payLine(bulk);

    expect(result.status).toBe('COMPLETED');
    expect(calls.acceptQuote.length).toBe(before.acceptQuote); // never re-sent
    expect(calls.getTransfer.slice(before.getTransfer)).toContain(sent.transferId);
    expect(await lineOf(bulk)).toMatchObject({ status: 'COMPLETED' });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 7000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('fails a line marked as sent that the switch never received once the transfer itself has expired', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000302', amount: 8000n }], PAYING);
    // The worker set transfer_sent_at, then crashed before the request left: the quote is accepted by no one.
    const quoted = await quoteThroughTheAdapter(payer, bulk, '22997000302', 8000n);
    await markAsSent(bulk, quoted, { sentMinutesAgo: 10 });
    const before = calls.acceptQuote.length;

    const result = await payLine(bulk);

    expect(result).toMatchObject({ status: 'FAILED', failureCode: 'transfer_not_found' });
    expect(calls.acceptQuote.length).toBe(before);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('keeps a sent line the switch does not know PROCESSING, its money reserved, until the transfer has expired', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000303', amount: 9000n }], PAYING);
    const quoted = await quoteThroughTheAdapter(payer, bulk, '22997000303', 9000n);
    await markAsSent(bulk, quoted, { sentMinutesAgo: 0 });
    const line = await lineOf(bulk);
    const transferExpiryMs = config().mojaloop.transferExpiryMs;
    expect(line.transfer_expiration.getTime() - line.transfer_sent_at.getTime()).toBe(transferExpiryMs);
    // The quote is long expired: before, that was taken as "never paid". The transfer's own expiration is what counts.
    await db()('individual_transfers')
      .where('transfer_id', bulk.transferIds[0])
      .update({ quote_expiration: new Date(Date.now() - 3_600_000) });

    const confirmAt = (now: Date) =>
      new MockActivityEnvironment().run(
        createTransferActivities({ db: db(), adapter, now: () => now, settings: { ...settings(), transferExpiryMs } })
          .confirmTransfer,
        bulk.transferIds[0]!,
      );
    const justBefore = new Date(line.transfer_expiration.getTime() - 1);
    await expect(confirmAt(justBefore)).rejects.toMatchObject({ type: 'TransferOutcomeUnknown' });
    expect(await lineOf(bulk)).toMatchObject({ status: 'PROCESSING', failure_code: null });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 9000n });

    const justAfter = new Date(line.transfer_expiration.getTime() + 1);
    await expect(confirmAt(justAfter)).resolves.toEqual({ status: 'FAILED', failureCode: 'transfer_not_found' });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
  });

  describe('a line started by hand pays nothing unless its bulk is open for paying', () => {
    it.each([
      ['awaiting approval', { state: 'AWAITING_APPROVAL' }, {}],
      [
        'rejected (FAILED)',
        { state: 'PROCESSING', approvalRequired: true },
        { state: 'FAILED', rejected_at: new Date() },
      ],
      ['expired without approval (FAILED)', { state: 'AWAITING_APPROVAL' }, { state: 'FAILED' }],
      ['approval required but never given', { state: 'PROCESSING', approvalRequired: true }, {}],
      ['ended (COMPLETED)', PAYING, { state: 'COMPLETED' }],
      ['not started (PENDING)', { state: 'PENDING' }, {}],
    ] as const)('bulk %s: BulkNotPayable, the line left as it was', async (_case, options, change) => {
      const payer = await createPayerAccount(db(), 100_000n);
      const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000310', amount: 5000n }], options);
      if (Object.keys(change).length > 0) await forceBulkColumns(db(), bulk.bulkId, change);
      const before = { startTransfer: calls.startTransfer.length, acceptQuote: calls.acceptQuote.length };

      const failure = await payLine(bulk).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe('BulkNotPayable');
      expect(calls.startTransfer.length).toBe(before.startTransfer);
      expect(calls.acceptQuote.length).toBe(before.acceptQuote);
      expect(await lineOf(bulk)).toMatchObject({
        status: 'PENDING',
        mojaloop_transfer_id: null,
        transfer_sent_at: null,
      });
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 5000n });
    });

    it('organization deactivated: BulkNotPayable, even for a line already quoted', async () => {
      const payer = await createPayerAccount(db(), 100_000n);
      const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000311', amount: 5000n }], PAYING);
      const quoted = await quoteThroughTheAdapter(payer, bulk, '22997000311', 5000n);
      await markAsQuoted(bulk, quoted, 5000n);
      await db()('organizations').where('id', payer.organizationId).update({ is_active: false });
      const before = calls.acceptQuote.length;

      const failure = await payLine(bulk).catch((error: unknown) => error);

      expect(((failure as WorkflowFailedError).cause as ApplicationFailure).type).toBe('BulkNotPayable');
      expect(calls.acceptQuote.length).toBe(before);
      expect(await lineOf(bulk)).toMatchObject({ status: 'PROCESSING', transfer_sent_at: null });
      expect(await transfersAtSwitch(bulk)).toEqual([]);
    });

    it('bulk cancelled: the quoted line is not sent, it ends FAILED cancelled and its money is released', async () => {
      const payer = await createPayerAccount(db(), 100_000n);
      const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000312', amount: 5000n }], PAYING);
      const quoted = await quoteThroughTheAdapter(payer, bulk, '22997000312', 5000n);
      await markAsQuoted(bulk, quoted, 5000n);
      await db()('bulk_transfers').where('bulk_id', bulk.bulkId).update({ cancelled_at: new Date() });
      const before = calls.acceptQuote.length;

      const result = await payLine(bulk);

      expect(result).toEqual({ transferId: bulk.transferIds[0], status: 'FAILED', failureCode: 'cancelled' });
      expect(calls.acceptQuote.length).toBe(before);
      expect(await transfersAtSwitch(bulk)).toEqual([]);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    });
  });

  describe('a quote that is not the payment asked for fails the line, nothing sent', () => {
    it.each([
      ['22990000410', 'ten times the amount', 'quote_mismatch', /120000 XOF; the line asks 12000 XOF/],
      ['22990000411', 'in USD', 'quote_mismatch', /USD; the line asks 12000 XOF/],
      ['22990000412', 'a fee of 5000 XOF', 'fee_limit_exceeded', /fee of 5000 XOF, above the limit of 1000 XOF/],
    ])('%s (quoted %s): FAILED %s', async (msisdn, _case, code, message) => {
      const payer = await createPayerAccount(db(), 100_000n);
      const bulk = await insertBulk(db(), payer, [{ msisdn, amount: 12000n }], PAYING);
      const before = calls.acceptQuote.length;

      const result = await payLine(bulk);

      expect(result).toEqual({ transferId: bulk.transferIds[0], status: 'FAILED', failureCode: code });
      const line = await lineOf(bulk);
      expect(line.failure_message).toMatch(message);
      expect(line.transfer_sent_at).toBeNull();
      expect(calls.acceptQuote.length).toBe(before);
      expect(await transfersAtSwitch(bulk)).toEqual([]);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    });

    it('a refused quote whose FAILED write was lost is refused again by the transfer step, from the recorded figures', async () => {
      const payer = await createPayerAccount(db(), 100_000n);
      const bulk = await insertBulk(db(), payer, [{ msisdn: '22990000412', amount: 12000n }], PAYING);
      // The quote step recorded the quote, then the worker crashed before writing FAILED: the line is quoted.
      const quoted = await quoteThroughTheAdapter(payer, bulk, '22990000412', 12000n);
      await markAsQuoted(bulk, quoted, 12000n, 5000n);
      const before = calls.acceptQuote.length;

      const result = await payLine(bulk);

      expect(result).toEqual({ transferId: bulk.transferIds[0], status: 'FAILED', failureCode: 'fee_limit_exceeded' });
      expect(calls.acceptQuote.length).toBe(before);
      expect(await transfersAtSwitch(bulk)).toEqual([]);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    });
  });

  function settings() {
    return { maxFeeMinorUnits: config().mojaloop.maxFeeMinorUnits, payoutConcurrency: 1, pageSize: 10 };
  }

  async function quoteThroughTheAdapter(payer: PayerAccount, bulk: InsertedBulk, msisdn: string, amount: bigint) {
    const adapter = adapterClient(peer.outboundUrl);
    const account = await db()('accounts').where('id', payer.accountId).first();
    const started = await adapter.startTransfer({
      homeTransactionId: bulk.transferIds[0]!,
      from: { idType: account.party_id_type, idValue: account.party_identifier },
      to: { idType: 'MSISDN', idValue: msisdn },
      amount: amount.toString(),
      currency: 'XOF',
    });
    const quote = await adapter.acceptParty(started.transferId);
    return { transferId: started.transferId, quoteId: quote.quoteId, expiration: quote.expiration };
  }

  async function sendThroughTheAdapter(payer: PayerAccount, bulk: InsertedBulk, msisdn: string, amount: bigint) {
    const quoted = await quoteThroughTheAdapter(payer, bulk, msisdn, amount);
    const confirmed = await adapterClient(peer.outboundUrl).acceptQuote(quoted.transferId);
    expect(confirmed.transferState).toBe('COMMITTED');
    return quoted;
  }

  /** As the quote step leaves a line: its adapter transfer, its quote and the quote's figures recorded. */
  async function markAsQuoted(
    bulk: InsertedBulk,
    quoted: { transferId: string; quoteId: string; expiration: string | null },
    amount: bigint,
    fee = 0n,
  ) {
    const xof = (value: bigint) => ({ amount: value.toString(), currency: 'XOF' });
    await db()('individual_transfers')
      .where('transfer_id', bulk.transferIds[0])
      .update({
        status: 'PROCESSING',
        mojaloop_transfer_id: quoted.transferId,
        quote_id: quoted.quoteId,
        quote_expiration: quoted.expiration ? new Date(quoted.expiration) : null,
        quote_figures: JSON.stringify({ transferAmount: xof(amount), payeeReceiveAmount: xof(amount), fee: xof(fee) }),
      });
  }

  /** As the transfer step leaves a line once it has claimed the send (the request may or may not have left). */
  async function markAsSent(
    bulk: InsertedBulk,
    sent: { transferId: string; quoteId: string; expiration: string | null },
    options = { sentMinutesAgo: 0 },
  ) {
    const sentAt = db().raw(`now() - make_interval(mins => ?)`, [options.sentMinutesAgo]);
    await db()('individual_transfers')
      .where('transfer_id', bulk.transferIds[0])
      .update({
        status: 'PROCESSING',
        mojaloop_transfer_id: sent.transferId,
        quote_id: sent.quoteId,
        quote_expiration: sent.expiration ? new Date(sent.expiration) : null,
        transfer_sent_at: sentAt,
        transfer_expiration: db().raw(`now() - make_interval(mins => ?) + make_interval(secs => ?)`, [
          options.sentMinutesAgo,
          config().mojaloop.transferExpiryMs / 1000,
        ]),
      });
  }
});
