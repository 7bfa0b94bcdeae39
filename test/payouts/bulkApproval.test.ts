/**
 * Maker-checker approval, end to end: uploads through the real API into an organization that requires approval,
 * decisions through the API's routes (Temporal updates on the bulk's workflow), paid or not through the real
 * Mojaloop peer, on the real Temporal dev server.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { signDecisionToken } from '../../src/payouts/decisionTokenKeys';
import { dayIn } from '../../src/pensions/rules/pensionPeriod';
import { bulkIdForPeriod } from '../../src/pensions/store/periodBulkStore';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import {
  actOnBulk,
  bulkDetails,
  createBulkTestApp,
  createFund,
  CSV_HEADER,
  type Fund,
  upload,
} from '../support/bulkFixtures';
import { createUser, loginAs, type TestServer } from '../support/fixtures';
import { auditOf } from '../support/adminFixtures';
import {
  accountMoney,
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
import { expectJournalAgrees } from '../support/journalInvariant';
import { uniqueMsisdns, walletOwnerName } from '../support/payees';
import { scheduleMonthlyRuns } from '../support/pensionScheduleFixtures';
import type { PeriodBulkOutcome } from '../../src/pensions/contract';

const TIME_ZONE = 'Africa/Porto-Novo';
const LONG_APPROVAL_TIMEOUT_MS = 24 * 3_600_000;
/** Short, for the test of expiry, which awaits the bulk's outcome rather than watching for it. */
const SHORT_APPROVAL_TIMEOUT_MS = 1500;

describe('bulk approval (maker-checker)', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('approval');
  let server: TestServer;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    server = createBulkTestApp({}, taskQueue).server;
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  /**
   * A Worker runs once: each test its own, on the queue the API starts bulks on. The approval deadline is a day
   * unless told: a test that acts while the bulk awaits approval must never see it expire, however slow the machine.
   */
  function worker(approvalTimeoutMs = LONG_APPROVAL_TIMEOUT_MS): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { payoutConcurrency: 3, approvalTimeoutMs },
    });
  }

  async function fundRequiringApproval(
    balance = 1_000_000n,
  ): Promise<Fund & { checker: { id: number; token: string } }> {
    const fund = await createFund(server, { balance });
    await db()('organizations').where('id', fund.organization.id).update({ requires_approval: true });
    const checker = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    return { ...fund, checker: { id: checker.user.id, token: await loginAs(server, checker.email, checker.password) } };
  }

  function csv(lines: Array<[string, number]>): string {
    return CSV_HEADER + lines.map(([msisdn, amount]) => `MSISDN,${msisdn},XOF,${amount}\n`).join('');
  }

  async function bulkState(bulkId: string): Promise<string> {
    return (await db()('bulk_transfers').where('bulk_id', bulkId).first('state')).state;
  }

  it('waits for a second user: the creator is refused, a SUPERVISEUR and another organization too; the checker approves and it is paid', async () => {
    const fund = await fundRequiringApproval();
    const [first, second] = uniqueMsisdns(2);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      csv([
        [first, 40000],
        [second, 25000],
      ]),
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    const outsider = await createFund(server);

    const result = await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await bulkState(bulkId)) === 'AWAITING_APPROVAL');
      // Waiting: nothing sent, the total held.
      expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 65000n });
      await expectJournalAgrees(db(), fund.account.id);
      const details = await bulkDetails(server, bulkId, fund.superviseur.token);
      expect(details.body).toMatchObject({
        state: 'AWAITING_APPROVAL',
        created_by: { id: fund.gestionnaire.id },
        approval: { required: true, deadline: expect.any(String), approved_by: null },
      });

      const byCreator = await actOnBulk(server, 'approve', bulkId, fund.gestionnaire.token, 409);
      expect(byCreator.body.error.code).toBe('approval_by_creator');
      const bySuperviseur = await actOnBulk(server, 'approve', bulkId, fund.superviseur.token, 403);
      expect(bySuperviseur.body.error.code).toBe('permission_denied');
      await actOnBulk(server, 'approve', bulkId, outsider.gestionnaire.token, 404);
      // The workflow holds the same rule, even for a decision token the API signed for the creator; and an update
      // naming a user without a token (typed into the Web UI) is refused whoever it names.
      const handle = temporal.client.workflow.getHandle(workflowIdForBulk(bulkId));
      const updateRefusal = async (input: object) => {
        const refused = await handle.executeUpdate('approve', { args: [input] }).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        const refusal = (refused as WorkflowUpdateFailedError).cause;
        expect(refusal).toBeInstanceOf(ApplicationFailure);
        return refusal;
      };
      const creatorToken = signDecisionToken(config().auth, {
        userId: fund.gestionnaire.id,
        act: 'approve',
        target: bulkId,
      });
      expect(await updateRefusal({ token: creatorToken })).toMatchObject({
        type: 'approval_by_creator',
        nonRetryable: true,
      });
      expect(await updateRefusal({ userId: fund.checker.id })).toMatchObject({ type: 'decision_token_required' });
      expect(await bulkState(bulkId)).toBe('AWAITING_APPROVAL');

      const approved = await actOnBulk(server, 'approve', bulkId, fund.checker.token, 200);
      expect(approved.body).toMatchObject({
        bulkTransferId: bulkId,
        state: 'PROCESSING',
        approval: { approved_by: { id: fund.checker.id } },
      });
      // Only the accepted approval is in the audit log, with the request that made it.
      expect(await auditOf('bulk', bulkId)).toEqual([
        expect.objectContaining({
          kind: 'bulk.approved',
          actor_user_id: fund.checker.id,
          organization_id: fund.organization.id,
          before: { state: 'AWAITING_APPROVAL' },
          after: { state: 'PROCESSING' },
          request_id: approved.headers['x-request-id'],
        }),
      ]);
      const again = await actOnBulk(server, 'approve', bulkId, fund.checker.token, 409);
      expect(again.body.error.code).toBe('not_awaiting_approval');
      return temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId)).result();
    });

    expect(result).toMatchObject({ state: 'COMPLETED', completed: 2, failed: 0 });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 65000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    const paidAtPeer = await countCommittedPaymentsByPayee([first, second]);
    expect([...paidAtPeer.values()]).toEqual([1, 1]);
    const details = await bulkDetails(server, bulkId, fund.gestionnaire.token);
    expect(details.body.approval).toMatchObject({
      required: true,
      approved_by: { id: fund.checker.id },
      approved_at: expect.any(String),
      rejected_by: null,
    });
  });

  it('a rejection sends nothing, releases the reservation and ends the bulk FAILED with the reason', async () => {
    const fund = await fundRequiringApproval();
    const [payee] = uniqueMsisdns(1);
    const uploaded = await upload(server, fund.gestionnaire.token, csv([[payee, 30000]])).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;

    await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await bulkState(bulkId)) === 'AWAITING_APPROVAL');
      const noReason = await actOnBulk(server, 'reject', bulkId, fund.checker.token, 400, {});
      expect(noReason.body.error).toMatchObject({ code: 'validation_error', details: { reason: expect.any(Array) } });
      const byCreator = await actOnBulk(server, 'reject', bulkId, fund.gestionnaire.token, 409, { reason: 'mine' });
      expect(byCreator.body.error.code).toBe('approval_by_creator');
      const rejected = await actOnBulk(server, 'reject', bulkId, fund.checker.token, 200, {
        reason: 'Wrong month: this list is October',
      });
      expect(rejected.body).toMatchObject({
        state: 'FAILED',
        failure_reason: 'Rejected at approval: Wrong month: this list is October',
      });
      expect(await auditOf('bulk', bulkId)).toEqual([
        expect.objectContaining({
          kind: 'bulk.rejected',
          actor_user_id: fund.checker.id,
          before: { state: 'AWAITING_APPROVAL' },
          after: { state: 'FAILED', rejection_reason: 'Wrong month: this list is October' },
          request_id: rejected.headers['x-request-id'],
        }),
      ]);
      await temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).result();
    });

    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    const lines = await db()('individual_transfers').where('bulk_id', bulkId);
    expect(lines.map((line) => [line.status, line.failure_code, line.mojaloop_transfer_id])).toEqual([
      ['FAILED', 'approval_rejected', null],
    ]);
    expect((await countCommittedPaymentsByPayee([payee])).get(payee)).toBe(0);
    const details = await bulkDetails(server, bulkId, fund.superviseur.token);
    expect(details.body).toMatchObject({
      state: 'FAILED',
      approval: {
        rejected_by: { id: fund.checker.id },
        rejected_at: expect.any(String),
        rejection_reason: 'Wrong month: this list is October',
        approved_by: null,
      },
    });
  });

  it('past the approval deadline, the bulk ends FAILED and its funds are released', async () => {
    const fund = await fundRequiringApproval();
    const [payee] = uniqueMsisdns(1);
    const uploaded = await upload(server, fund.gestionnaire.token, csv([[payee, 12345]])).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    // Held while awaiting approval: proved with a long deadline by the first test. Here the deadline is short and
    // the test only awaits its outcome, never a window in which the bulk would still be waiting.
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 12345n });

    const handle = temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId));
    const result = await (await worker(SHORT_APPROVAL_TIMEOUT_MS)).runUntil(() => handle.result());

    expect(result).toEqual({ bulkId, state: 'FAILED', total: 1, completed: 0, failed: 1 });
    const bulk = await db()('bulk_transfers').where('bulk_id', bulkId).first();
    expect(bulk).toMatchObject({
      state: 'FAILED',
      failure_reason: 'Not approved before its approval deadline.',
      approved_by_id: null,
      rejected_by_id: null,
    });
    expect(bulk.approval_deadline).toBeInstanceOf(Date);
    expect(bulk.completed_at.getTime()).toBeGreaterThanOrEqual(bulk.approval_deadline.getTime());
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n });
    const lines = await db()('individual_transfers').where('bulk_id', bulkId);
    expect(lines.map((line) => [line.status, line.failure_code, line.mojaloop_transfer_id])).toEqual([
      ['FAILED', 'approval_expired', null],
    ]);
    expect((await countCommittedPaymentsByPayee([payee])).get(payee)).toBe(0);
    // It ended by its deadline, not by a decision: no update reached the workflow, and it waited on at most one
    // timer, no longer than the deadline, which fired (none when the deadline had already passed by the time the
    // workflow looked at it, as on a very slow machine).
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
    const timeouts = events
      .map((event) => event.timerStartedEventAttributes?.startToFireTimeout)
      .filter((timeout) => timeout !== undefined && timeout !== null)
      .map((timeout) => Number(timeout.seconds ?? 0) * 1000 + Math.floor((timeout.nanos ?? 0) / 1e6));
    expect(timeouts.length).toBeLessThanOrEqual(1);
    for (const timeoutMs of timeouts) expect(timeoutMs > 0 && timeoutMs <= SHORT_APPROVAL_TIMEOUT_MS).toBe(true);
    expect(events.filter((event) => event.timerFiredEventAttributes)).toHaveLength(timeouts.length);
    const late = await actOnBulk(server, 'approve', bulkId, fund.checker.token, 409);
    expect(late.body.error.code).toBe('not_awaiting_approval');
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('holds a bulk built by the monthly run for approval too; any GESTIONNAIRE may approve it (no creator), and the run ends with it', async () => {
    const fund = await fundRequiringApproval();
    const [first, second] = uniqueMsisdns(2);
    const today = dayIn(new Date(), TIME_ZONE);
    await db()('beneficiaries').insert(
      [first, second].map((msisdn, index) => ({
        organization_id: fund.organization.id,
        party_id_type: 'MSISDN',
        party_identifier: msisdn,
        full_name: walletOwnerName(msisdn),
        monthly_amount: String(20000 + index),
        currency: 'XOF',
        status: 'ACTIVE',
        last_proof_of_life: today,
      })),
    );
    await scheduleMonthlyRuns(temporal, taskQueue, {
      organizationId: fund.organization.id,
      code: fund.organization.code,
      accountId: fund.account.id,
    });
    const period = '2026-02';
    const bulkId = bulkIdForPeriod(fund.organization.id, period);

    const outcome = await (
      await worker()
    ).runUntil(async () => {
      const run = temporal.client.workflow.execute('monthlyPensionRunWorkflow', {
        taskQueue,
        workflowId: `pension-run-approval-${randomUUID()}`,
        args: [{ organizationId: fund.organization.id, payerAccountId: fund.account.id, period }],
      }) as Promise<PeriodBulkOutcome>;
      await waitFor(
        async () =>
          (await db()('bulk_transfers').where({ bulk_id: bulkId, state: 'AWAITING_APPROVAL' }).first()) ?? null,
      );
      expect((await countCommittedPaymentsByPayee([first, second])).get(first)).toBe(0);
      // The first GESTIONNAIRE of the fund did not create it: the schedule did.
      await actOnBulk(server, 'approve', bulkId, fund.gestionnaire.token, 200);
      return run;
    });

    expect(outcome).toMatchObject({ period, state: 'COMPLETED', bulkId });
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([first, second]))).toEqual({
      [first]: 1,
      [second]: 1,
    });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 40001n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    expect(await db()('bulk_transfers').where('bulk_id', bulkId).first('created_by_id', 'approved_by_id')).toEqual({
      created_by_id: null,
      approved_by_id: fund.gestionnaire.id,
    });
  });

  it('leaves organizations without approval as they were: a new bulk is paid at once and cannot be approved', async () => {
    const fund = await createFund(server, { balance: 100_000n });
    const [payee] = uniqueMsisdns(1);
    const uploaded = await upload(server, fund.gestionnaire.token, csv([[payee, 1000]])).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;

    await (await worker()).runUntil(() => temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).result());
    const bulk = await db()('bulk_transfers').where('bulk_id', bulkId).first();
    expect(bulk).toMatchObject({ state: 'COMPLETED', approval_deadline: null, approved_by_id: null });
    const other = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    const token = await loginAs(server, other.email, other.password);
    const refused = await actOnBulk(server, 'approve', bulkId, token, 409);
    expect(refused.body.error.code).toBe('not_awaiting_approval');
    const details = await bulkDetails(server, bulkId, token);
    expect(details.body.approval).toEqual({
      required: false,
      deadline: null,
      approved_by: null,
      approved_at: null,
      rejected_by: null,
      rejected_at: null,
      rejection_reason: null,
    });
  });
});
