/**
 * A bulk stored by the upload (funds reserved) whose workflow was never started, as when the API dies between
 * its commit and its start call: the sweep, run by a Temporal Schedule, starts it once, and it is paid.
 */
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { ensureSweepSchedule, STRANDED_BULK_SWEEP } from '../../src/worker/sweepSchedules';
import type {
  StrandedBulkSweepInput,
  StrandedBulkSweepResult,
} from '../../workflows/operations/strandedBulkSweepWorkflow';
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
  waitFor,
} from '../support/payoutHarness';
import { workflowIdForBulk } from '../../src/payouts/contract';

describe('stranded-bulk sweep', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('sweep');

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  const msisdn = (): string => `2299${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const sweep = (input: StrandedBulkSweepInput): Promise<StrandedBulkSweepResult> =>
    temporal.client.workflow.execute('strandedBulkSweepWorkflow', {
      taskQueue,
      workflowId: `sweep-test-${Date.now()}-${Math.random()}`,
      args: [input],
    });
  const ageBulk = (bulkId: string, minutes: number) =>
    db()('bulk_transfers')
      .where('bulk_id', bulkId)
      .update({ created_at: db().raw(`now() - make_interval(mins => ?)`, [minutes]) });

  it('starts an old PENDING upload once, leaves young, scheduled and already started bulks alone, and the bulk is paid', async () => {
    const payer = await createPayerAccount(db(), 500_000n);
    const stranded = await insertBulk(db(), payer, [
      { msisdn: msisdn(), amount: 40000n },
      { msisdn: msisdn(), amount: 35000n },
    ]);
    const young = await insertBulk(db(), payer, [{ msisdn: msisdn(), amount: 1000n }]);
    const scheduled = await insertBulk(db(), payer, [{ msisdn: msisdn(), amount: 2000n }]);
    const alreadyStarted = await insertBulk(db(), payer, [{ msisdn: msisdn(), amount: 3000n }]);
    await ageBulk(stranded.bulkId, 10);
    await ageBulk(scheduled.bulkId, 10);
    await ageBulk(alreadyStarted.bulkId, 10);
    await db()('bulk_transfers').where('bulk_id', scheduled.bulkId).update({ source: 'SCHEDULE' });

    const worker = await payoutWorker(temporal, taskQueue, { db: db(), adapter: adapterClient(peer.outboundUrl) });
    await worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, alreadyStarted.bulkId);
      const startedByApi = (
        await temporal.client.workflow.getHandle(workflowIdForBulk(alreadyStarted.bulkId)).describe()
      ).runId;

      const first = await sweep({ organizationIds: [payer.organizationId] });
      // The one started by the API may still be PENDING (its first step not run yet): found, but not started again.
      expect(first.started).toEqual([stranded.bulkId]);
      expect(
        (await temporal.client.workflow.getHandle(workflowIdForBulk(alreadyStarted.bulkId)).describe()).runId,
      ).toBe(startedByApi);

      await waitFor(
        async () =>
          (await db()('bulk_transfers').where('bulk_id', stranded.bulkId).first('state')).state === 'COMPLETED',
        90_000,
      );
      expect((await sweep({ organizationIds: [payer.organizationId] })).started).toEqual([]);
      await temporal.client.workflow.getHandle(workflowIdForBulk(alreadyStarted.bulkId)).result();
    });

    const states = await db()('bulk_transfers').whereIn('bulk_id', [young.bulkId, scheduled.bulkId]).pluck('state');
    expect(states).toEqual(['PENDING', 'PENDING']);
    const paidLines = await db()('individual_transfers').where('bulk_id', stranded.bulkId).pluck('status');
    expect(paidLines).toEqual(['COMPLETED', 'COMPLETED']);
    // Paid: 75,000 + 3,000 left the account; the young and scheduled bulks' 3,000 stay reserved.
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 500_000n - 78_000n, reserved: 3_000n });
  });

  it("leaves a deactivated organization's PENDING bulk alone, funds still reserved, and starts it once reactivated", async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const stranded = await insertBulk(db(), payer, [{ msisdn: msisdn(), amount: 25000n }]);
    await ageBulk(stranded.bulkId, 10);
    await db()('organizations').where('id', payer.organizationId).update({ is_active: false });

    const worker = await payoutWorker(temporal, taskQueue, { db: db(), adapter: adapterClient(peer.outboundUrl) });
    await worker.runUntil(async () => {
      expect((await sweep({ organizationIds: [payer.organizationId] })).started).toEqual([]);
      expect((await db()('bulk_transfers').where('bulk_id', stranded.bulkId).first('state')).state).toBe('PENDING');
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 25_000n });

      await db()('organizations').where('id', payer.organizationId).update({ is_active: true });
      expect((await sweep({ organizationIds: [payer.organizationId] })).started).toEqual([stranded.bulkId]);
      await temporal.client.workflow.getHandle(workflowIdForBulk(stranded.bulkId)).result();
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 75_000n, reserved: 0n });
  });

  it('is a Temporal Schedule the worker creates once, whatever the number of workers', async () => {
    await temporal.client.schedule
      .getHandle(STRANDED_BULK_SWEEP.scheduleId)
      .delete()
      .catch(() => undefined);
    expect(await ensureSweepSchedule(temporal.client, STRANDED_BULK_SWEEP, taskQueue, '5 minutes')).toBe('created');
    expect(await ensureSweepSchedule(temporal.client, STRANDED_BULK_SWEEP, taskQueue, '5 minutes')).toBe('exists');
    const description = await temporal.client.schedule.getHandle(STRANDED_BULK_SWEEP.scheduleId).describe();
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'strandedBulkSweepWorkflow',
      taskQueue,
    });
    expect(description.spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    await temporal.client.schedule.getHandle(STRANDED_BULK_SWEEP.scheduleId).delete();
  });
});
