/**
 * The bulk workflow's sliding window across continue-as-new and restarts, with a tiny page size so a bulk of
 * 30 lines spans several runs. Real Temporal dev server, real Mojaloop peer.
 */
import type { Worker } from '@temporalio/worker';
import { closeDb, db } from '../support/database';
import { queryBulkProgress, startBulkPayout } from '../../src/payouts/payoutClient';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import {
  accountMoney,
  adapterClient,
  type BulkLine,
  connectTemporal,
  countingAdapter,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { barrier } from '../support/barrier';
import { expectJournalAgrees } from '../support/journalInvariant';

const NOT_FOUND = '22990000404';

/** 30 lines of 1000..3900 XOF; lines 7 and 22 name a payee the switch does not know. */
function thirtyLines(): BulkLine[] {
  return Array.from({ length: 30 }, (_, index) => ({
    msisdn: index + 1 === 7 || index + 1 === 22 ? NOT_FOUND : `229971${String(index + 1).padStart(5, '0')}`,
    amount: 1000n + BigInt(index) * 100n,
  }));
}

const paidTotal = (lines: BulkLine[]): bigint =>
  lines.filter((line) => line.msisdn !== NOT_FOUND).reduce((sum, line) => sum + line.amount, 0n);

describe('bulk payout across continue-as-new', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let worker: Worker;
  let calls: ReturnType<typeof countingAdapter>['calls'];
  const taskQueue = uniqueTaskQueue('can');

  let adapter: ReturnType<typeof countingAdapter>['adapter'];
  let holdDiscovery: (homeTransactionId: string) => Promise<void> = async () => undefined;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    const counting = countingAdapter(adapterClient(peer.outboundUrl));
    calls = counting.calls;
    // Every discovery first passes the test's hold (none unless a test sets one).
    adapter = {
      ...counting.adapter,
      startTransfer: async (request) => {
        await holdDiscovery(request.homeTransactionId);
        return counting.adapter.startTransfer(request);
      },
    };
  });

  // A Temporal Worker runs once (runUntil shuts it down): each test gets its own, on the same task queue.
  beforeEach(async () => {
    worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter,
      settings: { pageSize: 5, payoutConcurrency: 4 },
    });
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('pays 30 lines with a page size of 5, continuing as new between pages, each line once', async () => {
    const lines = thirtyLines();
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, lines);
    const workflowId = workflowIdForBulk(bulk.bulkId);

    const result = await worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      const firstRunId = (await temporal.client.workflow.getHandle(workflowId).describe()).runId;
      // The query reaches the current run after continue-as-new, with the counts carried over.
      const later = await waitFor(async () => {
        const progress = await queryBulkProgress(temporal, bulk.bulkId);
        return progress && progress.completed + progress.failed >= 12 ? progress : null;
      }, 120000);
      expect(later.total).toBe(30);
      expect(later.processing).toBeLessThanOrEqual(4);
      expect((await temporal.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(firstRunId);
      return temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowId).result();
    });

    expect(result).toEqual({ bulkId: bulk.bulkId, state: 'COMPLETED', total: 30, completed: 28, failed: 2 });
    const runs = await listExecutions(temporal, `WorkflowId = "${workflowId}"`);
    expect(runs.filter((status) => status === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(5);

    // Each line was started at the adapter once and paid once.
    for (const transferId of bulk.transferIds)
      expect(calls.startTransfer.filter((id) => id === transferId)).toHaveLength(1);
    const statuses = await db()('individual_transfers').where('bulk_id', bulk.bulkId).select('status', 'failure_code');
    expect(statuses.filter((row) => row.status === 'COMPLETED')).toHaveLength(28);
    expect(statuses.filter((row) => row.status === 'FAILED' && row.failure_code === '3204')).toHaveLength(2);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 1_000_000n - paidTotal(lines), reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('resumes a bulk whose workflow was terminated mid-way without paying any line twice', async () => {
    const lines = thirtyLines().slice(0, 12);
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, lines);
    const handle = temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulk.bulkId));
    // Lines 4 to 12 wait at the adapter's door until the bulk's workflow has been terminated and started again, so
    // lines are surely in flight at the termination, however fast the machine pays.
    const held = new Set(bulk.transferIds.slice(3));
    const restarted = barrier();
    const arrivedHeld: string[] = [];
    holdDiscovery = async (homeTransactionId) => {
      if (!held.has(homeTransactionId)) return;
      arrivedHeld.push(homeTransactionId);
      await restarted.promise;
    };

    const result = await worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await waitFor(async () => {
        const [final] = await db()('individual_transfers')
          .where('bulk_id', bulk.bulkId)
          .whereIn('status', ['COMPLETED', 'FAILED'])
          .count<Array<{ count: string }>>('* as count');
        return Number(final?.count) >= 3 && arrivedHeld.length > 0;
      }, 120000);
      // An operator (or a crash followed by a reset) ends the run while lines are in flight; their workflows go on.
      await handle.terminate('test: simulated loss of the bulk workflow');
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      restarted.open();
      return handle.result();
    });

    expect(result).toEqual({ bulkId: bulk.bulkId, state: 'COMPLETED', total: 12, completed: 11, failed: 1 });
    for (const transferId of bulk.transferIds)
      expect(calls.startTransfer.filter((id) => id === transferId)).toHaveLength(1);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 1_000_000n - paidTotal(lines), reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });
});

async function listExecutions(temporal: TemporalForTests, query: string): Promise<string[]> {
  // Visibility is eventually consistent: wait until the closed runs are listed.
  return waitFor(async () => {
    const statuses: string[] = [];
    for await (const execution of temporal.client.workflow.list({ query })) statuses.push(execution.status.name);
    return statuses.includes('COMPLETED') ? statuses : null;
  });
}
