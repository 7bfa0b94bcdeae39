/**
 * A bulk paid end to end on the real Temporal dev server through the real Mojaloop peer (scheme adapter in front
 * of the Testing Toolkit). The peer's test payees: 22990000404 party not found (3204), 22990000503 quote
 * rejected (5101), 22990000403 transfer rejected (5104); any other MSISDN is paid.
 */
import type { Worker } from '@temporalio/worker';
import { closeDb, db } from '../support/database';
import { queryBulkProgress, startBulkPayout } from '../../src/payouts/payoutClient';
import {
  BULK_ID,
  ORGANIZATION_CODE,
  PAYEE_IDENTIFIER,
  PAYOUT_STATUS,
  workflowIdForBulk,
  workflowIdForLine,
} from '../../src/payouts/contract';
import type { BulkPayoutResult } from '../../src/payouts/contract';
import type { PayoutAdapter } from '../../activities';
import { barrier } from '../support/barrier';
import {
  accountMoney,
  adapterClient,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from '../support/payoutHarness';
import { expectJournalAgrees } from '../support/journalInvariant';

describe('bulk payout workflow', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let worker: Worker;
  let adapter: PayoutAdapter;
  const taskQueue = uniqueTaskQueue('bulk');
  /** Every discovery first passes the test's hold (none unless a test sets one). */
  let holdDiscovery: (homeTransactionId: string) => Promise<void> = async () => undefined;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    const real = adapterClient(peer.outboundUrl);
    adapter = {
      startTransfer: async (request) => {
        await holdDiscovery(request.homeTransactionId);
        return real.startTransfer(request);
      },
      acceptParty: (transferId) => real.acceptParty(transferId),
      acceptQuote: (transferId) => real.acceptQuote(transferId),
      getTransfer: (transferId) => real.getTransfer(transferId),
    };
  });

  // A Temporal Worker runs once (runUntil shuts it down): each test gets its own, on the same task queue.
  beforeEach(async () => {
    holdDiscovery = async () => undefined;
    worker = await payoutWorker(temporal, taskQueue, { db: db(), adapter, settings: { payoutConcurrency: 3 } });
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('pays the payable lines, fails each refused one with its Mojaloop code, and settles the account exactly', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: '22997000101', amount: 45000n },
      { msisdn: '22990000404', amount: 20000n },
      { msisdn: '22997000102', amount: 30000n },
      { msisdn: '22990000503', amount: 25000n },
      { msisdn: '22990000403', amount: 35000n },
    ]);
    const handle = temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulk.bulkId));
    // Every line waits at the adapter's door until the test has made its second start and its progress query, so
    // the bulk surely still runs then, however fast the machine pays; the window (3) fills before the query.
    const queried = barrier();
    const windowFull = barrier();
    const arrived: string[] = [];
    holdDiscovery = async (homeTransactionId) => {
      arrived.push(homeTransactionId);
      if (arrived.length === 3) windowFull.open();
      await queried.promise;
    };

    await worker.runUntil(async () => {
      try {
        await startBulkPayout(temporal, taskQueue, bulk.bulkId);
        const firstRunId = (await handle.describe()).runId;
        await startBulkPayout(temporal, taskQueue, bulk.bulkId); // a second start finds the running workflow
        expect((await handle.describe()).runId).toBe(firstRunId);

        // The progress query answers while the bulk runs: three lines in flight (at the barrier), two not started yet.
        await windowFull.promise;
        expect(await queryBulkProgress(temporal, bulk.bulkId)).toEqual({
          total: 5,
          completed: 0,
          failed: 0,
          processing: 3,
          held: 0,
          pending: 2,
        });
        expect([...arrived].sort()).toEqual(bulk.transferIds.slice(0, 3).sort());
      } finally {
        queried.open();
      }

      const result = await handle.result();
      expect(result).toEqual({ bulkId: bulk.bulkId, state: 'COMPLETED', total: 5, completed: 2, failed: 3 });
    });

    const lines = await db()('individual_transfers').where('bulk_id', bulk.bulkId).orderBy('line_number');
    expect(lines.map((line) => [line.payee_party_identifier, line.status, line.failure_code])).toEqual([
      ['22997000101', 'COMPLETED', null],
      ['22990000404', 'FAILED', '3204'],
      ['22997000102', 'COMPLETED', null],
      ['22990000503', 'FAILED', '5101'],
      ['22990000403', 'FAILED', '5104'],
    ]);
    for (const line of lines.filter((row) => row.status === 'FAILED'))
      expect(line.failure_message).toEqual(expect.any(String));
    for (const line of lines) expect(line.completed_at).not.toBeNull();
    const paid = lines.filter((line) => line.status === 'COMPLETED');
    for (const line of paid) {
      expect(line).toMatchObject({
        mojaloop_transfer_id: expect.any(String),
        quote_id: expect.any(String),
        fulfilment: expect.any(String),
      });
      expect(line.payee_name).toEqual(expect.any(String));
      expect(line.transfer_sent_at).not.toBeNull();
    }
    // Nothing was sent for the lines refused before the transfer step.
    expect(lines[1].transfer_sent_at).toBeNull();
    expect(lines[3].transfer_sent_at).toBeNull();

    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 1_000_000n - 75000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    const closed = await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first();
    expect(closed).toMatchObject({ state: 'COMPLETED', failure_reason: null });
    expect(closed.completed_at).not.toBeNull();

    // Closed: no live progress any more (the API reads the database), and starting again pays nothing.
    expect(await queryBulkProgress(temporal, bulk.bulkId)).toBeNull();
    await startBulkPayout(temporal, taskQueue, bulk.bulkId);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 1_000_000n - 75000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('labels the bulk and each line for the Web UI (search attributes and summary)', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: '22997000201', amount: 1500n },
      { msisdn: '22990000404', amount: 2500n },
    ]);
    await worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await temporal.client.workflow.getHandle(workflowIdForBulk(bulk.bulkId)).result();
    });

    const bulkDescription = await temporal.client.workflow.getHandle(workflowIdForBulk(bulk.bulkId)).describe();
    expect(bulkDescription.typedSearchAttributes.get(BULK_ID)).toBe(bulk.bulkId);
    expect(bulkDescription.typedSearchAttributes.get(ORGANIZATION_CODE)).toBe(payer.organizationCode);

    const line = await temporal.client.workflow.getHandle(workflowIdForLine(bulk.bulkId, 2)).describe();
    expect(line.typedSearchAttributes.get(BULK_ID)).toBe(bulk.bulkId);
    expect(line.typedSearchAttributes.get(PAYEE_IDENTIFIER)).toBe('22990000404');
    expect(line.typedSearchAttributes.get(PAYOUT_STATUS)).toBe('FAILED');
    expect(await line.staticSummary()).toBe(
      `Pension payout line 2 of bulk ${bulk.bulkId}: 2500 XOF to MSISDN 22990000404`,
    );
    const paidLine = await temporal.client.workflow.getHandle(workflowIdForLine(bulk.bulkId, 1)).describe();
    expect(paidLine.typedSearchAttributes.get(PAYOUT_STATUS)).toBe('COMPLETED');
  });

  it('fails a bulk in which no line could be paid, with the reason, and gives the whole reservation back', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: '22990000404', amount: 10000n },
      { msisdn: '22990000503', amount: 20000n },
    ]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 30000n });
    await expectJournalAgrees(db(), payer.accountId);

    await worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      const result = await temporal.client.workflow.getHandle(workflowIdForBulk(bulk.bulkId)).result();
      expect(result).toMatchObject({ state: 'FAILED', completed: 0, failed: 2 });
    });

    const closed = await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first();
    expect(closed).toMatchObject({ state: 'FAILED', failure_reason: 'None of the 2 transfers was paid.' });
    expect(closed.completed_at).not.toBeNull();
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });
});
