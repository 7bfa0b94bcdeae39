/**
 * One line's workflow against the real peer, in the situations a bulk run rarely shows: a retried switch
 * timeout, and a restart after the transfer was sent (it must be asked about, never sent again).
 */
import type { Worker } from '@temporalio/worker';
import { closeDb, db } from '../../src/db/knex';
import { workflowIdForLine } from '../../src/payouts/types';
import type { PayoutTransferResult } from '../../workflows/definitions';
import {
  accountMoney,
  adapterClient,
  connectTemporal,
  countingAdapter,
  createPayerAccount,
  insertBulk,
  InsertedBulk,
  PayerAccount,
  payoutWorker,
  RunningPeer,
  TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from '../support/payoutHarness';
import { expectJournalAgrees } from '../support/journalInvariant';

describe('payout transfer workflow', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let worker: Worker;
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

  // A Temporal Worker runs once (runUntil shuts it down): each test gets its own, on the same task queue.
  beforeEach(async () => {
    worker = await payoutWorker(temporal, taskQueue, { db: db(), adapter });
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  async function payLine(bulk: InsertedBulk): Promise<PayoutTransferResult> {
    const transferId = bulk.transferIds[0]!;
    return worker.runUntil(
      temporal.client.workflow.execute('payoutTransferWorkflow', {
        workflowId: workflowIdForLine(bulk.bulkId, 1),
        taskQueue,
        args: [{ transferId, lineNumber: 1 }],
      }),
    );
  }

  async function lineOf(bulk: InsertedBulk) {
    return db()('individual_transfers').where('transfer_id', bulk.transferIds[0]).first();
  }

  it('retries a payee whose switch times out at first, and pays it once', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22990000504', amount: 12000n }]);
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
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000301', amount: 7000n }]);
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

  it('fails a line marked as sent that the switch never received once its quote has expired', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000302', amount: 8000n }]);
    // The worker set transfer_sent_at, then crashed before the request left: the quote is accepted by no one.
    const quoted = await quoteThroughTheAdapter(payer, bulk, '22997000302', 8000n);
    await markAsSent(bulk, { ...quoted, expiration: new Date(Date.now() - 1000).toISOString() });
    const before = calls.acceptQuote.length;

    const result = await payLine(bulk);

    expect(result).toMatchObject({ status: 'FAILED', failureCode: 'transfer_not_found' });
    expect(calls.acceptQuote.length).toBe(before);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

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

  async function markAsSent(bulk: InsertedBulk, sent: { transferId: string; quoteId: string; expiration: string | null }) {
    await db()('individual_transfers')
      .where('transfer_id', bulk.transferIds[0])
      .update({
        status: 'PROCESSING',
        mojaloop_transfer_id: sent.transferId,
        quote_id: sent.quoteId,
        quote_expiration: sent.expiration ? new Date(sent.expiration) : null,
        transfer_sent_at: db().fn.now(),
      });
  }
});
