/**
 * A deactivated organization's bulks, on the real Temporal dev server, Postgres and Mojaloop peer: approval and
 * retry-failed are refused with 403 organization_inactive by the use-cases themselves (here sent as the API sends
 * them, as Temporal updates, since its users cannot even authenticate), nothing moves, and reactivating lets the
 * same request through. The monthly run and the stranded-bulk sweep have their tests in pensionRuns.test.ts and
 * strandedBulkSweep.test.ts.
 */
import { applyAccountChange } from '../../src/accounts/store/journalStore';
import type { Worker } from '@temporalio/worker';
import { closeDb, db } from '../support/database';
import { config } from '../../src/config';
import { AppError } from '../../src/errors';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { decideApproval, retryFailedForUser } from '../../src/payouts/payoutClient';
import { createUser, setOrganizationActive } from '../support/fixtures';
import {
  accountMoney,
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { expectJournalAgrees } from '../support/journalInvariant';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';
import { uniqueMsisdns } from '../support/payees';

describe('bulks of a deactivated organization', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('org-inactive');

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  function worker(): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { payoutConcurrency: 2 },
    });
  }

  const bulkRow = (bulkId: string) =>
    db()('bulk_transfers').where('bulk_id', bulkId).first('state', 'approved_by_id', 'retry_count');

  /** The refusal as the API would answer it: our typed error with its status and code. */
  async function refusal(action: Promise<unknown>): Promise<{ status: number; code: string }> {
    const error = await action.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof AppError)) throw new Error(`expected a typed refusal, got ${String(error)}`);
    return { status: error.status, code: error.code };
  }

  it('cannot be approved while deactivated (403 organization_inactive, still awaiting); approved and paid once reactivated', async () => {
    const payer = await createPayerAccount(db(), 500_000n);
    await db()('organizations').where('id', payer.organizationId).update({ requires_approval: true });
    const checker = await createUser({ organizationId: payer.organizationId, role: 'GESTIONNAIRE' });
    const [payee] = uniqueMsisdns(1);
    const bulk = await insertBulk(db(), payer, [{ msisdn: payee, amount: 30_000n }]);

    const outcome = await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await waitFor(async () => (await bulkRow(bulk.bulkId)).state === 'AWAITING_APPROVAL');

      await setOrganizationActive(payer.organizationId, false);
      const approve = () =>
        decideApproval(temporal, config().auth, bulk.bulkId, {
          approve: true,
          by: { userId: checker.user.id, requestId: null },
        });
      expect(await refusal(approve())).toEqual({ status: 403, code: 'organization_inactive' });
      expect(await bulkRow(bulk.bulkId)).toMatchObject({ state: 'AWAITING_APPROVAL', approved_by_id: null });
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 500_000n, reserved: 30_000n });

      await setOrganizationActive(payer.organizationId, true);
      await approve();
      return bulkWorkflowResult(temporal, bulk.bulkId);
    });

    expect(outcome).toMatchObject({ state: 'COMPLETED', completed: 1, failed: 0 });
    expect(await bulkRow(bulk.bulkId)).toMatchObject({ approved_by_id: checker.user.id });
    expect([...(await countCommittedPaymentsByPayee([payee])).values()]).toEqual([1]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 470_000n, reserved: 0n });
  });

  it('cannot have its failed lines retried while deactivated (403, nothing reserved); retried and paid once reactivated', async () => {
    const payer = await createPayerAccount(db(), 500_000n);
    const retrier = await createUser({ organizationId: payer.organizationId, role: 'GESTIONNAIRE' });
    const [payee] = uniqueMsisdns(1);
    const bulk = await insertBulk(db(), payer, [{ msisdn: payee, amount: 20_000n }]);
    // As a bulk that ended with its one line failed for a reason worth retrying, never sent: reservation released.
    await db()('individual_transfers').where('bulk_id', bulk.bulkId).update({
      status: 'FAILED',
      failure_code: 'switch_unavailable',
      failure_message: 'Switch unreachable',
      completed_at: db().fn.now(),
    });
    await db()('bulk_transfers')
      .where('bulk_id', bulk.bulkId)
      .update({ state: 'FAILED', failure_reason: 'No transfer was paid.', completed_at: db().fn.now() });
    await db().transaction((trx) =>
      applyAccountChange(trx, {
        accountId: payer.accountId,
        kind: 'release',
        amount: 20_000n,
        bulkId: bulk.bulkId,
        transferId: bulk.transferIds[0]!,
        attempt: 1,
      }),
    );

    const outcome = await (
      await worker()
    ).runUntil(async () => {
      await setOrganizationActive(payer.organizationId, false);
      const retry = () =>
        retryFailedForUser(temporal, config().auth, taskQueue, bulk.bulkId, {
          userId: retrier.user.id,
          requestId: null,
        });
      expect(await refusal(retry())).toEqual({ status: 403, code: 'organization_inactive' });
      expect(await bulkRow(bulk.bulkId)).toMatchObject({ state: 'FAILED', retry_count: 0 });
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 500_000n, reserved: 0n });
      expect(await db()('individual_transfers').where('bulk_id', bulk.bulkId).first('status', 'attempt')).toEqual({
        status: 'FAILED',
        attempt: 1,
      });
      // The run the refused update started ends at once; until it has, a retry would be told "still running".
      await bulkWorkflowResult(temporal, bulk.bulkId);

      await setOrganizationActive(payer.organizationId, true);
      expect(await retry()).toMatchObject({ retried: 1, reserved: '20000' });
      return bulkWorkflowResult(temporal, bulk.bulkId);
    });

    expect(outcome).toMatchObject({ state: 'COMPLETED', completed: 1, failed: 0 });
    expect([...(await countCommittedPaymentsByPayee([payee])).values()]).toEqual([1]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 480_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });
});
