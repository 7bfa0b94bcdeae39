/**
 * Monthly runs where money could go out twice or when it should not: two triggers of the same period at once
 * (one bulk, each pensioner paid once), and a paused schedule whose time comes (no run, no bulk). The real
 * Temporal dev server of the global setup (real Schedules), the real Postgres and the real Mojaloop peer.
 */
import type { Worker } from '@temporalio/worker';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { dayIn } from '../../src/pensions/rules/pensionPeriod';
import { commandPensionSchedule, createPensionSchedule, scheduleIdFor } from '../../src/pensions/scheduleClient';
import { authHeader, createAccount, createOrganization, createTestApp, createUser, loginAs } from '../support/fixtures';
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
import { uniqueMsisdns, walletOwnerName } from '../support/payees';
import { scheduleMonthlyRuns } from '../support/pensionScheduleFixtures';
import type { PeriodBulkOutcome } from '../../src/pensions/contract';

const HEADER = 'type_id,valeur_id,nom_complet,devise,montant_mensuel,statut,derniere_preuve_de_vie,date_debut,date_fin';
const TIME_ZONE = 'Africa/Porto-Novo';

describe('monthly pension schedules: twice at once, and paused', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let worker: Worker;
  let workerRun: Promise<void>;
  const taskQueue = uniqueTaskQueue('schedules');
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

  /** A fund with a roll of `payees` pensioners (10,000 XOF each, proof of life today). */
  async function fundWithRoll(payees: string[]) {
    const organization = await createOrganization();
    const account = await createAccount({ organizationId: organization.id, balance: 1_000_000n });
    const { user, email, password } = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const token = await loginAs(server, email, password);
    const today = dayIn(new Date(), TIME_ZONE);
    const lines = payees.map((msisdn) => `MSISDN,${msisdn},${walletOwnerName(msisdn)},XOF,10000,,${today},,`);
    await request(server)
      .post('/api/pension-roll/import')
      .set(authHeader(token))
      .attach('file', Buffer.from([HEADER, ...lines].join('\n')), 'roll.csv')
      .expect(200);
    // Who the schedule changes are audited as: the fund's own gestionnaire.
    const author = { actor: { userId: user.id, email }, requestId: null, organizationId: organization.id };
    return { organizationId: organization.id, code: organization.code, accountId: account.id, author };
  }

  const bulksOf = (organizationId: number) => db()('bulk_transfers').where('organization_id', organizationId);

  it('two runs of the same period started at once build one bulk and pay each pensioner once', async () => {
    const payees = uniqueMsisdns(2);
    const fund = await fundWithRoll(payees);
    await scheduleMonthlyRuns(temporal, taskQueue, fund);
    const input = { organizationId: fund.organizationId, payerAccountId: fund.accountId, period: '2026-06' };
    const [first, second] = (await Promise.all(
      ['a', 'b'].map((run) =>
        temporal.client.workflow.execute('monthlyPensionRunWorkflow', {
          taskQueue,
          workflowId: `pension-run-${fund.code}-twice-${run}`,
          args: [input],
        }),
      ),
    )) as [PeriodBulkOutcome, PeriodBulkOutcome];

    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(first.bulkId).toEqual(expect.any(String));
    expect(second.bulkId).toBe(first.bulkId);
    const bulks = await bulksOf(fund.organizationId);
    expect(bulks).toHaveLength(1);
    expect(bulks[0]).toMatchObject({
      source: 'SCHEDULE',
      state: 'COMPLETED',
      transfers_count: 2,
      total_amount: '20000',
    });
    expect(Object.fromEntries(await countCommittedPaymentsByPayee(payees))).toEqual(
      Object.fromEntries(payees.map((payee) => [payee, 1])),
    );
    expect(await db()('accounts').where('id', fund.accountId).first('balance', 'reserved')).toEqual({
      balance: '980000',
      reserved: '0',
    });
  });

  it('two triggers of the schedule at once build one bulk and pay each pensioner once', async () => {
    const payees = uniqueMsisdns(2);
    const fund = await fundWithRoll(payees);
    const scheduleId = await createPensionSchedule(
      db(),
      temporal,
      taskQueue,
      {
        organizationId: fund.organizationId,
        organizationCode: fund.code,
        payerAccountId: fund.accountId,
        dayOfMonth: 28,
        hour: 3,
        minute: 0,
        timeZone: TIME_ZONE,
      },
      fund.author,
    );
    try {
      await Promise.all([
        commandPensionSchedule(db(), temporal, scheduleId, 'trigger', fund.author),
        commandPensionSchedule(db(), temporal, scheduleId, 'trigger', fund.author),
      ]);
      // Every run the triggers started has ended, and the period's bulk with them.
      const handle = temporal.client.schedule.getHandle(scheduleId);
      const runs = await waitFor(async () => {
        const { info } = await handle.describe();
        return info.recentActions.length > 0 && info.runningActions.length === 0 ? info.recentActions : null;
      });
      const outcomes = (await Promise.all(
        runs.map((run) =>
          temporal.client.workflow
            .getHandle(run.action.workflow.workflowId, run.action.workflow.firstExecutionRunId)
            .result(),
        ),
      )) as PeriodBulkOutcome[];
      expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
      expect(new Set(outcomes.map((outcome) => outcome.bulkId)).size).toBe(1);

      const bulks = await bulksOf(fund.organizationId);
      expect(bulks).toHaveLength(1);
      expect(bulks[0]).toMatchObject({ state: 'COMPLETED', transfers_count: 2 });
      expect(Object.fromEntries(await countCommittedPaymentsByPayee(payees))).toEqual(
        Object.fromEntries(payees.map((payee) => [payee, 1])),
      );
    } finally {
      await commandPensionSchedule(db(), temporal, scheduleId, 'delete', fund.author);
    }
  });

  /** Day, hour and minute (in the fund's time zone) of the next minute boundary at least 15 s ahead. */
  function nextMinute(): { at: Date; dayOfMonth: number; hour: number; minute: number } {
    const at = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: TIME_ZONE,
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        hourCycle: 'h23',
      })
        .formatToParts(at)
        .map((part) => [part.type, part.value]),
    );
    return { at, dayOfMonth: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
  }

  // Its time must come during the test: a schedule due at the next minute, beside an unpaused one due then too
  // (the test waits for that one's run, a state, rather than for a length of time). Both are made by our code for
  // the 1st of the month, then moved to the next minute by Temporal's own schedule update: our rules allow days
  // 1-28 only, and the next minute may fall on the 29th to the 31st.
  it('a paused schedule does not fire when its time comes (no run, no bulk), while an unpaused one due then does', async () => {
    const paused = await fundWithRoll(uniqueMsisdns(1));
    const control = await fundWithRoll(uniqueMsisdns(1));
    const spec = { dayOfMonth: 1, hour: 0, minute: 0, timeZone: TIME_ZONE };
    const pausedId = await createPensionSchedule(
      db(),
      temporal,
      taskQueue,
      {
        organizationId: paused.organizationId,
        organizationCode: paused.code,
        payerAccountId: paused.accountId,
        ...spec,
      },
      paused.author,
    );
    const controlId = await createPensionSchedule(
      db(),
      temporal,
      taskQueue,
      {
        organizationId: control.organizationId,
        organizationCode: control.code,
        payerAccountId: control.accountId,
        ...spec,
      },
      control.author,
    );
    // Paused first, then both moved to the next minute at least 15 s ahead: nothing slow stands in between.
    await commandPensionSchedule(db(), temporal, pausedId, 'pause', paused.author, 'audit');
    const when = nextMinute();
    for (const id of [pausedId, controlId]) {
      await temporal.client.schedule.getHandle(id).update((previous) => ({
        ...previous,
        spec: {
          calendars: [{ dayOfMonth: when.dayOfMonth, hour: when.hour, minute: when.minute }],
          timezone: TIME_ZONE,
        },
      }));
    }
    try {
      expect(scheduleIdFor(paused.code)).toBe(pausedId);

      // The control schedule's run at that minute has ended: the time came for both.
      const controlRun = await waitFor(
        async () => {
          const { info } = await temporal.client.schedule.getHandle(controlId).describe();
          return info.recentActions[0] ?? null;
        },
        150_000,
        500,
      );
      expect(controlRun.scheduledAt.getTime()).toBe(when.at.getTime());
      await temporal.client.workflow.getHandle(controlRun.action.workflow.workflowId).result();
      expect(await bulksOf(control.organizationId)).toHaveLength(1);

      const { info, state } = await temporal.client.schedule.getHandle(pausedId).describe();
      expect(state.paused).toBe(true);
      expect(info.numActionsTaken).toBe(0);
      expect(info.recentActions).toEqual([]);
      expect(info.runningActions).toEqual([]);
      expect(await bulksOf(paused.organizationId)).toHaveLength(0);
      expect(await db()('accounts').where('id', paused.accountId).first('balance', 'reserved')).toEqual({
        balance: '1000000',
        reserved: '0',
      });
    } finally {
      await commandPensionSchedule(db(), temporal, pausedId, 'delete', paused.author);
      await commandPensionSchedule(db(), temporal, controlId, 'delete', control.author);
    }
  }, 200_000);
});
