/**
 * Monthly pension runs on the real Temporal dev server (a real Schedule), the real database and the real Mojaloop
 * peer: the schedule's life cycle, a period paid exactly once however often it is triggered, the held-out
 * beneficiaries, a run refused for insufficient funds, and runs started by hand that their organization's schedule
 * would not start (no schedule, paused, another account, a period not begun), refused with nothing built.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { dayIn, periodOf } from '../../src/pensions/rules/pensionPeriod';
import { authHeader, createAccount, createOrganization, createTestApp, newUserToken } from '../support/fixtures';
import {
  adapterClient,
  connectTemporal,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';
import { fundForTest } from '../support/accountFunding';
import { uniqueMsisdns, walletOwnerName } from '../support/payees';
import { scheduleMonthlyRuns } from '../support/pensionScheduleFixtures';
import type { PeriodBulkOutcome } from '../../src/pensions/contract';

const HEADER = 'type_id,valeur_id,nom_complet,devise,montant_mensuel,statut,derniere_preuve_de_vie,date_debut,date_fin';
const TIME_ZONE = 'Africa/Porto-Novo';

describe('monthly pension runs', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let worker: Worker;
  // One run for the whole file: a Worker runs only once (runUntil would end it after the first test).
  let workerRun: Promise<void>;
  const taskQueue = uniqueTaskQueue('pension');
  const { server } = createTestApp({ TEMPORAL_TASK_QUEUE: taskQueue });

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      pension: { proofOfLifeMaxAgeMonths: 12 },
    });
    workerRun = worker.run();
  });

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('runs a real Schedule: created, paused, resumed, triggered twice (one bulk, each paid once), deleted', async () => {
    const fund = await newFund(1_000_000n);
    const today = dayIn(new Date(), TIME_ZONE);
    const [paidA, paidB, paidC, suspended, expired] = uniqueMsisdns(5);
    await importRoll(fund.gestionnaire, [
      `MSISDN,${paidA},${walletOwnerName(paidA)},XOF,45000,ACTIVE,${today},2020-01-01,`,
      `MSISDN,${paidB},${walletOwnerName(paidB)},XOF,30000,,${today},,`,
      `MSISDN,${paidC},${walletOwnerName(paidC)},XOF,25000,,${today},,`,
      `MSISDN,${suspended},Jean Houessou,XOF,40000,SUSPENDED,${today},,`,
      `MSISDN,${expired},Marie Akpovi,XOF,35000,ACTIVE,2020-01-01,,`,
    ]);

    const created = await request(server)
      .post('/api/pension-runs/schedules')
      .set(authHeader(fund.gestionnaire))
      .send({ day_of_month: 25, hour: 8, minute: 30 })
      .expect(201);
    const scheduleId = `pension-run-${fund.code}`;
    expect(created.body).toMatchObject({
      schedule_id: scheduleId,
      spec: { day_of_month: 25, hour: 8, minute: 30, time_zone: TIME_ZONE },
      paused: false,
      payer_account_id: fund.accountId,
    });
    expect(created.body.next_run_times.length).toBeGreaterThan(0);
    // 08:30 in Porto-Novo is 07:30 UTC.
    expect(new Date(created.body.next_run_times[0]).getUTCHours()).toBe(7);

    // It exists in Temporal, as specified.
    const handle = temporal.client.schedule.getHandle(scheduleId);
    const described = await handle.describe();
    expect(described.spec.timezone).toBe(TIME_ZONE);
    expect(described.spec.calendars?.[0]).toMatchObject({
      dayOfMonth: [{ start: 25, end: 25, step: 1 }],
      hour: [{ start: 8, end: 8, step: 1 }],
    });
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.policies.catchupWindow).toBe(86_400_000);
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'monthlyPensionRunWorkflow',
      taskQueue,
    });

    await request(server)
      .post('/api/pension-runs/schedules')
      .set(authHeader(fund.gestionnaire))
      .send({ day_of_month: 1, hour: 0, minute: 0 })
      .expect(409);
    await request(server)
      .post('/api/pension-runs/schedules')
      .set(authHeader(fund.gestionnaire))
      .send({ day_of_month: 31, hour: 0, minute: 0 })
      .expect(400);

    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/pause`)
      .set(authHeader(fund.gestionnaire))
      .send({ note: 'audit' })
      .expect(200);
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'audit' });
    // Temporal would start a run while paused; the run would be refused, so the trigger is, with nothing started.
    const whilePaused = await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/trigger`)
      .set(authHeader(fund.gestionnaire))
      .expect(409);
    expect(whilePaused.body.error).toMatchObject({ code: 'schedule_paused', details: { schedule_id: scheduleId } });
    expect((await handle.describe()).info.numActionsTaken).toBe(0);
    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/resume`)
      .set(authHeader(fund.gestionnaire))
      .expect(200);
    expect((await handle.describe()).state.paused).toBe(false);

    // Another organization cannot see or touch it; a superviseur reads it but cannot act on it.
    const outsider = await newFund(0n);
    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/pause`)
      .set(authHeader(outsider.gestionnaire))
      .expect(404);
    await request(server)
      .delete(`/api/pension-runs/schedules/${scheduleId}`)
      .set(authHeader(outsider.gestionnaire))
      .expect(404);
    expect(
      (await request(server).get('/api/pension-runs/schedules').set(authHeader(outsider.gestionnaire)).expect(200)).body
        .count,
    ).toBe(0);
    const read = await request(server).get('/api/pension-runs/schedules').set(authHeader(fund.superviseur)).expect(200);
    expect(read.body.results.map((schedule: { schedule_id: string }) => schedule.schedule_id)).toEqual([scheduleId]);
    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/trigger`)
      .set(authHeader(fund.superviseur))
      .expect(403);

    const period = periodOf(new Date(), TIME_ZONE);
    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/trigger`)
      .set(authHeader(fund.gestionnaire))
      .expect(202);
    const first = await runResult(scheduleId, 1);
    expect(first).toMatchObject({ period, state: 'COMPLETED', created: true, eligible: 3, heldOut: 2 });

    // The same month again: the run finds the period's bulk and pays nobody twice.
    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/trigger`)
      .set(authHeader(fund.gestionnaire))
      .expect(202);
    const second = await runResult(scheduleId, 2);
    expect(second).toMatchObject({ period, state: 'COMPLETED', created: false, bulkId: first.bulkId });

    const bulks = await db()('bulk_transfers').where('organization_id', fund.organizationId);
    expect(bulks).toHaveLength(1);
    expect(bulks[0]).toMatchObject({
      source: 'SCHEDULE',
      state: 'COMPLETED',
      total_amount: '100000',
      transfers_count: 3,
    });
    const payments = await countCommittedPaymentsByPayee([paidA, paidB, paidC, suspended, expired]);
    expect(Object.fromEntries(payments)).toEqual({ [paidA]: 1, [paidB]: 1, [paidC]: 1, [suspended]: 0, [expired]: 0 });
    expect(await accountMoney(fund.accountId)).toEqual({ balance: '900000', reserved: '0' });

    const runs = await request(server).get('/api/pension-runs').set(authHeader(fund.superviseur)).expect(200);
    expect(runs.body).toMatchObject({
      total: 1,
      results: [{ period, state: 'COMPLETED', bulk_id: bulks[0].bulk_id, eligible_count: 3, held_out_count: 2 }],
    });
    const details = await request(server)
      .get(`/api/pension-runs/${period}`)
      .set(authHeader(fund.gestionnaire))
      .expect(200);
    expect(details.body).toMatchObject({
      state: 'COMPLETED',
      total_amount: 100000,
      transfers: { completed: 3, failed: 0 },
    });
    expect(details.body.held_out).toEqual([
      expect.objectContaining({ party_identifier: suspended, full_name: 'Jean Houessou', reason: 'suspended' }),
      expect.objectContaining({ party_identifier: expired, reason: 'proof_of_life_expired' }),
    ]);
    await request(server).get(`/api/pension-runs/${period}`).set(authHeader(outsider.gestionnaire)).expect(404);

    await request(server)
      .delete(`/api/pension-runs/schedules/${scheduleId}`)
      .set(authHeader(fund.gestionnaire))
      .expect(204);
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(
      (await request(server).get('/api/pension-runs/schedules').set(authHeader(fund.gestionnaire)).expect(200)).body
        .count,
    ).toBe(0);
    await request(server)
      .post(`/api/pension-runs/schedules/${scheduleId}/trigger`)
      .set(authHeader(fund.gestionnaire))
      .expect(404);
  });

  it('fails a run for insufficient funds without any bulk, and builds it once the account is topped up', async () => {
    const fund = await newFund(50_000n);
    await scheduleMonthlyRuns(temporal, taskQueue, fund);
    const today = dayIn(new Date(), TIME_ZONE);
    const [first, second] = uniqueMsisdns(2);
    await importRoll(fund.gestionnaire, [
      `MSISDN,${first},${walletOwnerName(first)},XOF,40000,,${today},,`,
      `MSISDN,${second},${walletOwnerName(second)},XOF,20000,,${today},,`,
    ]);
    const runFor = (period: string) =>
      temporal.client.workflow.execute('monthlyPensionRunWorkflow', {
        taskQueue,
        workflowId: `pension-run-${fund.code}-manual-${period}-${Date.now()}`,
        args: [{ organizationId: fund.organizationId, payerAccountId: fund.accountId, period }],
      }) as Promise<PeriodBulkOutcome>;

    expect(await runFor('2026-01')).toMatchObject({
      period: '2026-01',
      state: 'FAILED',
      bulkId: null,
      failureReason: 'insufficient_funds',
    });
    expect(await db()('bulk_transfers').where('organization_id', fund.organizationId)).toHaveLength(0);
    expect(await accountMoney(fund.accountId)).toEqual({ balance: '50000', reserved: '0' });
    const failed = await request(server).get('/api/pension-runs/2026-01').set(authHeader(fund.superviseur)).expect(200);
    expect(failed.body).toMatchObject({
      state: 'FAILED',
      failure_reason: 'insufficient_funds',
      bulk_id: null,
      failure_details: { available: '50000', required: '60000', currency: 'XOF' },
    });

    await fundForTest(db(), fund.accountId, 50_000n);
    expect(await runFor('2026-01')).toMatchObject({ period: '2026-01', state: 'COMPLETED', eligible: 2, heldOut: 0 });
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([first, second]))).toEqual({
      [first]: 1,
      [second]: 1,
    });
    expect(await accountMoney(fund.accountId)).toEqual({ balance: '40000', reserved: '0' });
  });

  it('builds no bulk for a deactivated organization (FAILED organization_inactive, nothing reserved), and builds it once reactivated', async () => {
    const fund = await newFund(100_000n);
    await scheduleMonthlyRuns(temporal, taskQueue, fund);
    const today = dayIn(new Date(), TIME_ZONE);
    const [payee] = uniqueMsisdns(1);
    await importRoll(fund.gestionnaire, [`MSISDN,${payee},${walletOwnerName(payee)},XOF,40000,,${today},,`]);
    const runFor = (period: string) =>
      temporal.client.workflow.execute('monthlyPensionRunWorkflow', {
        taskQueue,
        workflowId: `pension-run-${fund.code}-inactive-${period}-${Date.now()}`,
        args: [{ organizationId: fund.organizationId, payerAccountId: fund.accountId, period }],
      }) as Promise<PeriodBulkOutcome>;

    await db()('organizations').where('id', fund.organizationId).update({ is_active: false });
    expect(await runFor('2026-03')).toMatchObject({
      period: '2026-03',
      state: 'FAILED',
      bulkId: null,
      failureReason: 'organization_inactive',
    });
    expect(await db()('bulk_transfers').where('organization_id', fund.organizationId)).toHaveLength(0);
    expect(await accountMoney(fund.accountId)).toEqual({ balance: '100000', reserved: '0' });

    await db()('organizations').where('id', fund.organizationId).update({ is_active: true });
    const failed = await request(server).get('/api/pension-runs/2026-03').set(authHeader(fund.superviseur)).expect(200);
    expect(failed.body).toMatchObject({ state: 'FAILED', failure_reason: 'organization_inactive', bulk_id: null });
    expect(await runFor('2026-03')).toMatchObject({ period: '2026-03', state: 'COMPLETED', eligible: 1 });
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([payee]))).toEqual({ [payee]: 1 });
    expect(await accountMoney(fund.accountId)).toEqual({ balance: '60000', reserved: '0' });
  });

  describe("a run started by hand is checked against the organization's schedule", () => {
    /** A fund with one pensioner on its roll: a run that got through would reserve and pay 40,000 XOF. */
    async function fundWithPensioner() {
      const fund = await newFund(1_000_000n);
      const [payee] = uniqueMsisdns(1);
      await importRoll(fund.gestionnaire, [
        `MSISDN,${payee},${walletOwnerName(payee)},XOF,40000,,${dayIn(new Date(), TIME_ZONE)},,`,
      ]);
      return { ...fund, payee };
    }

    /** Started as anyone with access to Temporal could: any workflow id, any input. */
    const startByHand = (input: { organizationId: number; payerAccountId: number; period?: string }) =>
      temporal.client.workflow.execute('monthlyPensionRunWorkflow', {
        taskQueue,
        workflowId: `by-hand-${input.organizationId}-${Date.now()}-${Math.random()}`,
        args: [input],
      }) as Promise<PeriodBulkOutcome>;

    /** The run's workflow failed on the bulk-building activity's first attempt, refused with `code`. */
    async function expectRefused(run: Promise<unknown>, code: string): Promise<void> {
      const error = await run.then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const activity = (error as WorkflowFailedError).cause;
      expect(activity).toBeInstanceOf(ActivityFailure);
      expect((activity as ActivityFailure).activityType).toBe('createPeriodBulk');
      const refusal = (activity as ActivityFailure).cause;
      expect(refusal).toBeInstanceOf(ApplicationFailure);
      expect({
        type: (refusal as ApplicationFailure).type,
        nonRetryable: (refusal as ApplicationFailure).nonRetryable,
      }).toEqual({ type: code, nonRetryable: true });
    }

    /** No run row, no bulk, no money reserved on any of the organization's accounts, nobody paid. */
    async function expectNothingBuilt(fund: { organizationId: number; payee: string }): Promise<void> {
      expect(await db()('pension_runs').where('organization_id', fund.organizationId)).toEqual([]);
      expect(await db()('bulk_transfers').where('organization_id', fund.organizationId)).toEqual([]);
      const accounts = await db()('accounts').where('organization_id', fund.organizationId).select('reserved');
      expect(accounts.map((account: { reserved: string }) => account.reserved)).toEqual(accounts.map(() => '0'));
      expect(Object.fromEntries(await countCommittedPaymentsByPayee([fund.payee]))).toEqual({ [fund.payee]: 0 });
    }

    it('refuses a run for an organization that has no schedule (run_not_scheduled)', async () => {
      const fund = await fundWithPensioner();
      const period = periodOf(new Date(), TIME_ZONE);
      await expectRefused(
        startByHand({ organizationId: fund.organizationId, payerAccountId: fund.accountId, period }),
        'run_not_scheduled',
      );
      // Nor by the schedule's own input (no period: the month the run starts in).
      await expectRefused(
        startByHand({ organizationId: fund.organizationId, payerAccountId: fund.accountId }),
        'run_not_scheduled',
      );
      await expectNothingBuilt(fund);
    });

    it("refuses a run from another account than its schedule's (payer_account_mismatch), its own or another organization's", async () => {
      const fund = await fundWithPensioner();
      await scheduleMonthlyRuns(temporal, taskQueue, fund);
      const ownOther = await createAccount({ organizationId: fund.organizationId, balance: 1_000_000n });
      const stranger = await newFund(1_000_000n);
      const period = periodOf(new Date(), TIME_ZONE);
      for (const payerAccountId of [ownOther.id, stranger.accountId]) {
        await expectRefused(
          startByHand({ organizationId: fund.organizationId, payerAccountId, period }),
          'payer_account_mismatch',
        );
      }
      await expectNothingBuilt(fund);
      expect(await accountMoney(stranger.accountId)).toEqual({ balance: '1000000', reserved: '0' });
    });

    it('refuses a run for a period that has not begun, or that is no period (period_not_allowed)', async () => {
      const fund = await fundWithPensioner();
      await scheduleMonthlyRuns(temporal, taskQueue, fund);
      const next = periodAfter(periodOf(new Date(), TIME_ZONE));
      for (const period of [next, '2099-01', '2026-13', '2026-1', 'now']) {
        await expectRefused(
          startByHand({ organizationId: fund.organizationId, payerAccountId: fund.accountId, period }),
          'period_not_allowed',
        );
      }
      await expectNothingBuilt(fund);
    });

    it('refuses a run while the schedule is paused (schedule_paused), and builds it once resumed', async () => {
      const fund = await fundWithPensioner();
      const scheduleId = await scheduleMonthlyRuns(temporal, taskQueue, fund);
      const schedule = temporal.client.schedule.getHandle(scheduleId);
      const input = { organizationId: fund.organizationId, payerAccountId: fund.accountId, period: '2026-04' };
      await schedule.pause('audit');
      await expectRefused(startByHand(input), 'schedule_paused');
      await expectNothingBuilt(fund);

      await schedule.unpause('audit done');
      expect(await startByHand(input)).toMatchObject({ period: '2026-04', state: 'COMPLETED', created: true });
      expect(Object.fromEntries(await countCommittedPaymentsByPayee([fund.payee]))).toEqual({ [fund.payee]: 1 });
    });

    it("pays a run started by hand for the schedule's organization and account, this month or a past one, each once", async () => {
      const fund = await fundWithPensioner();
      await scheduleMonthlyRuns(temporal, taskQueue, fund);
      const current = periodOf(new Date(), TIME_ZONE);
      const byHand = { organizationId: fund.organizationId, payerAccountId: fund.accountId };

      const first = await startByHand({ ...byHand, period: current });
      expect(first).toMatchObject({ period: current, state: 'COMPLETED', created: true, eligible: 1 });
      // The schedule's own input, started by hand: the month the run starts in, found paid already.
      expect(await startByHand(byHand)).toMatchObject({ period: current, created: false, bulkId: first.bulkId });
      // A late run for a past month pays it once; again, it finds it paid.
      expect(await startByHand({ ...byHand, period: '2026-05' })).toMatchObject({ state: 'COMPLETED', created: true });
      expect(await startByHand({ ...byHand, period: '2026-05' })).toMatchObject({ state: 'COMPLETED', created: false });

      expect(Object.fromEntries(await countCommittedPaymentsByPayee([fund.payee]))).toEqual({ [fund.payee]: 2 });
      expect(await accountMoney(fund.accountId)).toEqual({ balance: '920000', reserved: '0' });
    });
  });

  /** The result of the n-th workflow the schedule started (they are listed oldest first). */
  async function runResult(scheduleId: string, nth: number): Promise<PeriodBulkOutcome> {
    const recent = await waitFor(async () => {
      const actions = (await temporal.client.schedule.getHandle(scheduleId).describe()).info.recentActions;
      return actions.length >= nth ? actions : null;
    });
    const action = recent[nth - 1]!;
    const run = temporal.client.workflow.getHandle(action.action.workflow.workflowId);
    // The period comes from the time the Schedule set on the run, not from the worker's clock.
    const [scheduledStart] = (await run.describe()).searchAttributes.TemporalScheduledStartTime as Date[];
    expect(Math.abs(scheduledStart!.getTime() - action.scheduledAt.getTime())).toBeLessThan(1000);
    return run.result() as Promise<PeriodBulkOutcome>;
  }

  async function importRoll(token: string, lines: string[]): Promise<void> {
    await request(server)
      .post('/api/pension-roll/import')
      .set(authHeader(token))
      .attach('file', Buffer.from([HEADER, ...lines].join('\n')), 'roll.csv')
      .expect(200);
  }

  async function newFund(balance: bigint) {
    const organization = await createOrganization();
    const account = await createAccount({ organizationId: organization.id, balance });
    return {
      organizationId: organization.id,
      code: organization.code,
      accountId: account.id,
      gestionnaire: await newUserToken(server, organization.id, 'GESTIONNAIRE'),
      superviseur: await newUserToken(server, organization.id, 'SUPERVISEUR'),
    };
  }
});

/** The month after `period` (YYYY-MM). */
function periodAfter(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

async function accountMoney(accountId: number): Promise<{ balance: string; reserved: string }> {
  const row = await db()('accounts').where('id', accountId).first('balance', 'reserved');
  return { balance: row.balance, reserved: row.reserved };
}
