/**
 * Maker-checker covers retry-failed, end to end: uploads, decisions and retries through the real API in an
 * organization that requires approval, on the Temporal dev server of the global setup, the real Postgres and the real
 * peer behind the fault proxy (which makes a line's first attempt unreachable, 503, or holds its discovery). A retry
 * undoing a second user's decision is refused; any other waits for a second user, neither the creator nor the
 * retry's requester.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { homeTransactionIdFor } from '../../src/payouts/rules/bulkDecisionRules';
import { retryFailedPayouts } from '../../src/payouts/payoutClient';
import { signDecisionToken } from '../../src/payouts/decisionTokenKeys';
import { type LineRetry, workflowIdForBulk } from '../../src/payouts/contract';
import { barrier } from '../support/barrier';
import { actOnBulk, createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';
import { type FaultPolicy, type FaultProxy, startFaultProxy } from '../support/faultProxy';
import { createUser, loginAs, type TestServer } from '../support/fixtures';
import { expectJournalAgrees } from '../support/journalInvariant';
import {
  accountMoney,
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { uniqueMsisdns } from '../support/payees';
import { insertWebhookEndpoint, startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';

const FAST_RETRY: LineRetry = { maximumAttempts: 3, initialIntervalMs: 10, maximumIntervalMs: 20 };
const LONG_APPROVAL_TIMEOUT_MS = 24 * 3_600_000;
/** Short, for the retry whose approval expires: the test awaits the bulk's outcome rather than watching for it. */
const SHORT_APPROVAL_TIMEOUT_MS = 1500;

describe('retry-failed in an organization that requires approval (maker-checker)', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let proxy: FaultProxy;
  let server: TestServer;
  let receiver: WebhookReceiver;
  const taskQueue = uniqueTaskQueue('retry-maker-checker');
  /** Per homeTransactionId, what the proxy does to that line's discover call: 503, or hold until released. */
  const discoverFaults = new Map<
    string,
    { kind: 'status'; status: number } | { kind: 'holdUntil'; release: Promise<void> }
  >();
  const policy: FaultPolicy = (call) => {
    if (call.homeTransactionId === null || call.step !== 'discover') return { kind: 'forward' };
    return discoverFaults.get(call.homeTransactionId) ?? { kind: 'forward' };
  };

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    proxy = await startFaultProxy({ target: peer.outboundUrl, policy });
    server = createBulkTestApp({}, taskQueue).server;
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await proxy?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  function worker(settings: { payoutConcurrency?: number; approvalTimeoutMs?: number } = {}): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(proxy.url),
      settings: {
        payoutConcurrency: settings.payoutConcurrency ?? 3,
        lineRetry: FAST_RETRY,
        approvalTimeoutMs: settings.approvalTimeoutMs ?? LONG_APPROVAL_TIMEOUT_MS,
      },
      webhooks: {
        addressPolicy: { allowHttp: true, allowPrivateAddresses: true },
        timeoutMs: 5000,
        retry: { initialIntervalMs: 200, maximumIntervalMs: 400, budgetMs: 60_000 },
      },
    });
  }

  async function fundRequiringApproval(): Promise<Fund & { checker: { id: number; token: string } }> {
    const fund = await createFund(server, { balance: 1_000_000n });
    await db()('organizations').where('id', fund.organization.id).update({ requires_approval: true });
    const checker = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    return { ...fund, checker: { id: checker.user.id, token: await loginAs(server, checker.email, checker.password) } };
  }

  const csv = (lines: Array<[string, number]>): string =>
    CSV_HEADER + lines.map(([msisdn, amount]) => `MSISDN,${msisdn},XOF,${amount}\n`).join('');
  const bulkRow = (bulkId: string) =>
    db()('bulk_transfers').where('bulk_id', bulkId).first('state', 'retry_count', 'retry_requested_by_id');
  const transferIdsOf = async (bulkId: string): Promise<string[]> =>
    (await db()('individual_transfers').where('bulk_id', bulkId).orderBy('line_number')).map(
      (line) => line.transfer_id,
    );
  const linesOf = async (bulkId: string) =>
    (await db()('individual_transfers').where('bulk_id', bulkId).orderBy('line_number')).map((line) => [
      line.status,
      line.failure_code,
      line.attempt,
    ]);
  const callsFor = (homeTransactionId: string) =>
    proxy.log.filter((entry) => entry.homeTransactionId === homeTransactionId);

  /**
   * Uploaded by the fund's GESTIONNAIRE (the maker), approved by the checker; the second line's first attempt finds
   * the switch unreachable (switch_unavailable, worth retrying): the bulk ends COMPLETED, one line paid, one failed.
   */
  async function bulkWithOneFailedLine(
    fund: Fund & { checker: { token: string } },
    payees: [string, string],
  ): Promise<{ bulkId: string; failedId: string }> {
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      csv([
        [payees[0], 10000],
        [payees[1], 20000],
      ]),
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    const failedId = (await transferIdsOf(bulkId))[1]!;
    discoverFaults.set(failedId, { kind: 'status', status: 503 });
    await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await bulkRow(bulkId)).state === 'AWAITING_APPROVAL');
      await actOnBulk(server, 'approve', bulkId, fund.checker.token, 200);
      expect(await bulkWorkflowResult(temporal, bulkId)).toMatchObject({ state: 'COMPLETED', completed: 1, failed: 1 });
    });
    expect(await linesOf(bulkId)).toEqual([
      ['COMPLETED', null, 1],
      ['FAILED', 'switch_unavailable', 1],
    ]);
    return { bulkId, failedId };
  }

  /**
   * Uploaded by the maker, two lines: the first will find the switch unreachable (switch_unavailable, worth retrying),
   * the second is held at its discovery, still unsent, until `hold` opens.
   */
  async function bulkToCancel(fund: Fund) {
    const [unreachable, notSent] = uniqueMsisdns(2);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      csv([
        [unreachable, 10000],
        [notSent, 20000],
      ]),
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    const [unreachableId, notSentId] = (await transferIdsOf(bulkId)) as [string, string];
    const hold = barrier();
    discoverFaults.set(unreachableId, { kind: 'status', status: 503 });
    discoverFaults.set(notSentId, { kind: 'holdUntil', release: hold.promise });
    return { bulkId, unreachable, notSent, unreachableId, notSentId, hold };
  }

  /**
   * Inside a worker paying one line at a time: the checker approves, line 1 gives up, and `cancellerToken`'s user
   * cancels while line 2 is held at its discovery; the bulk ends FAILED with nothing paid, and the switch is
   * reachable again for line 1.
   */
  async function approveThenCancel(
    fund: Fund & { checker: { token: string } },
    bulk: { bulkId: string; unreachableId: string; notSentId: string; hold: { open: () => void } },
    cancellerToken: string,
  ): Promise<void> {
    const { bulkId } = bulk;
    await waitFor(async () => (await bulkRow(bulkId)).state === 'AWAITING_APPROVAL');
    await actOnBulk(server, 'approve', bulkId, fund.checker.token, 200);
    await waitFor(async () => callsFor(bulk.notSentId).length > 0);
    await actOnBulk(server, 'cancel', bulkId, cancellerToken, 202).finally(() => bulk.hold.open());
    expect(await bulkWorkflowResult(temporal, bulkId)).toMatchObject({ state: 'FAILED', completed: 0, failed: 2 });
    discoverFaults.delete(bulk.unreachableId);
  }

  /** The run reopened by the retry has read the bulk again (its second startBulk): it now waits for a decision. */
  async function retryRunAwaitsDecision(bulkId: string): Promise<void> {
    const handle = temporal.client.workflow.getHandle(workflowIdForBulk(bulkId));
    await waitFor(async () => {
      const history = await handle.fetchHistory();
      const scheduled = new Set<string>();
      let completed = 0;
      for (const event of history.events ?? []) {
        const attributes = event.activityTaskScheduledEventAttributes;
        if (attributes?.activityType?.name === 'startBulk') scheduled.add(String(event.eventId));
        const done = event.activityTaskCompletedEventAttributes;
        if (done && scheduled.has(String(done.scheduledEventId))) completed++;
      }
      return completed >= 2;
    });
  }

  it('a retry of a bulk the checker rejected is refused (409 retry_after_second_user_decision), nothing reserved', async () => {
    const fund = await fundRequiringApproval();
    const [payee] = uniqueMsisdns(1);
    const uploaded = await upload(server, fund.gestionnaire.token, csv([[payee, 30000]])).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await bulkRow(bulkId)).state === 'AWAITING_APPROVAL');
      await actOnBulk(server, 'reject', bulkId, fund.checker.token, 200, { reason: 'Mauvais mois' });
      expect(await bulkWorkflowResult(temporal, bulkId)).toMatchObject({ state: 'FAILED', completed: 0, failed: 1 });
      const refused = await actOnBulk(server, 'retry-failed', bulkId, fund.gestionnaire.token, 409);
      expect(refused.body.error.code).toBe('retry_after_second_user_decision');
    });
    expect(await bulkRow(bulkId)).toEqual({ state: 'FAILED', retry_count: 0, retry_requested_by_id: null });
    expect(await linesOf(bulkId)).toEqual([['FAILED', 'approval_rejected', 1]]);
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('a retry of a bulk another user cancelled is refused, by the maker as by an operator; nothing reserved', async () => {
    const fund = await fundRequiringApproval();
    const { bulkId, unreachable, notSent, unreachableId, notSentId, hold } = await bulkToCancel(fund);

    await (
      await worker({ payoutConcurrency: 1 })
    ).runUntil(async () => {
      await approveThenCancel(fund, { bulkId, unreachableId, notSentId, hold }, fund.checker.token);
      const byMaker = await actOnBulk(server, 'retry-failed', bulkId, fund.gestionnaire.token, 409);
      expect(byMaker.body.error.code).toBe('retry_after_second_user_decision');
      // The run that took the refused retry closes again (until then it refuses any retry as in progress).
      await bulkWorkflowResult(temporal, bulkId);
      const byOperator = await retryFailedPayouts(temporal, taskQueue, bulkId, { operator: 'retry test' }).then(
        () => null,
        (error: unknown) => error as { code?: string },
      );
      expect(byOperator?.code).toBe('retry_after_second_user_decision');
    });
    expect(await linesOf(bulkId)).toEqual([
      ['FAILED', 'switch_unavailable', 1],
      ['FAILED', 'cancelled', 1],
    ]);
    expect(await bulkRow(bulkId)).toEqual({ state: 'FAILED', retry_count: 0, retry_requested_by_id: null });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([unreachable, notSent]))).toEqual({
      [unreachable]: 0,
      [notSent]: 0,
    });
  });

  it("the maker may retry a bulk they cancelled themself: it awaits approval, and the checker's rejection ends it", async () => {
    const fund = await fundRequiringApproval();
    const { bulkId, unreachable, notSent, unreachableId, notSentId, hold } = await bulkToCancel(fund);

    await (
      await worker({ payoutConcurrency: 1 })
    ).runUntil(async () => {
      await approveThenCancel(fund, { bulkId, unreachableId, notSentId, hold }, fund.gestionnaire.token);
      const retry = await actOnBulk(server, 'retry-failed', bulkId, fund.gestionnaire.token, 202);
      expect(retry.body).toMatchObject({ state: 'AWAITING_APPROVAL', retried_transfers: 1, reserved_amount: 10000 });
      const byMaker = await actOnBulk(server, 'reject', bulkId, fund.gestionnaire.token, 409, { reason: 'Non' });
      expect(byMaker.body.error.code).toBe('approval_by_creator');
      await actOnBulk(server, 'reject', bulkId, fund.checker.token, 200, { reason: 'Pas ce mois-ci' });
      expect(await bulkWorkflowResult(temporal, bulkId)).toMatchObject({ state: 'FAILED', completed: 0, failed: 2 });

      // Rejected by the checker now: no retry may undo it.
      const again = await actOnBulk(server, 'retry-failed', bulkId, fund.gestionnaire.token, 409);
      expect(again.body.error.code).toBe('retry_after_second_user_decision');
    });
    expect(await linesOf(bulkId)).toEqual([
      ['FAILED', 'approval_rejected', 2],
      ['FAILED', 'cancelled', 1],
    ]);
    expect(await bulkRow(bulkId)).toEqual({
      state: 'FAILED',
      retry_count: 1,
      retry_requested_by_id: fund.gestionnaire.id,
    });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    expect(callsFor(homeTransactionIdFor(unreachableId, 2))).toEqual([]);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([unreachable, notSent]))).toEqual({
      [unreachable]: 0,
      [notSent]: 0,
    });
  });

  it("the maker's retry waits for approval: nothing sent, the maker may not approve it, the checker's approval pays it once", async () => {
    const fund = await fundRequiringApproval();
    await insertWebhookEndpoint(db(), fund.organization.id, `${receiver.baseUrl}/retry-approval`, [
      'bulk.awaiting_approval',
      'bulk.processing',
    ]);
    const [paid, retried] = uniqueMsisdns(2);
    const { bulkId, failedId } = await bulkWithOneFailedLine(fund, [paid, retried]);
    const secondAttempt = homeTransactionIdFor(failedId, 2);
    const eventsOf = async () =>
      (await db()('webhook_events').where('dedupe_key', 'like', `%:${bulkId}:%`).orderBy('dedupe_key')).map(
        (event) => event.dedupe_key,
      );

    await (
      await worker()
    ).runUntil(async () => {
      const retry = await actOnBulk(server, 'retry-failed', bulkId, fund.gestionnaire.token, 202);
      expect(retry.body).toMatchObject({ state: 'AWAITING_APPROVAL', retried_transfers: 1, reserved_amount: 20000 });
      expect(await bulkRow(bulkId)).toEqual({
        state: 'AWAITING_APPROVAL',
        retry_count: 1,
        retry_requested_by_id: fund.gestionnaire.id,
      });
      await retryRunAwaitsDecision(bulkId);
      // Announced as a new bulk awaiting approval is: bulk.awaiting_approval, not bulk.processing.
      expect(await eventsOf()).toEqual([
        `bulk.awaiting_approval:${bulkId}:0`,
        `bulk.awaiting_approval:${bulkId}:1`,
        `bulk.processing:${bulkId}:0`,
      ]);
      // Both delivered (the first wait's and the retry's; a delivery may come twice), each showing the bulk awaiting
      // approval.
      const awaitingDelivered = () =>
        receiver.received
          .map(
            (hook) => JSON.parse(hook.body) as { id: string; type: string; data: { bulk_id: string; state: string } },
          )
          .filter((body) => body.type === 'bulk.awaiting_approval' && body.data.bulk_id === bulkId);
      await waitFor(async () => new Set(awaitingDelivered().map((body) => body.id)).size === 2);
      expect(new Set(awaitingDelivered().map((body) => body.data.state))).toEqual(new Set(['AWAITING_APPROVAL']));
      // Waiting: the retried line is reserved again, not sent, nothing new at the switch.
      expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 10000n, reserved: 20000n });
      expect(await linesOf(bulkId)).toEqual([
        ['COMPLETED', null, 1],
        ['PENDING', null, 2],
      ]);
      expect(callsFor(secondAttempt)).toEqual([]);
      expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, retried]))).toEqual({
        [paid]: 1,
        [retried]: 0,
      });

      // The maker may not approve it: refused by the API, and by the workflow for a token signed for them.
      const byMaker = await actOnBulk(server, 'approve', bulkId, fund.gestionnaire.token, 409);
      expect(byMaker.body.error.code).toBe('approval_by_creator');
      const makerToken = signDecisionToken(config().auth, {
        userId: fund.gestionnaire.id,
        act: 'approve',
        target: bulkId,
      });
      const refused = await temporal.client.workflow
        .getHandle(workflowIdForBulk(bulkId))
        .executeUpdate('approve', { args: [{ token: makerToken }] })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'approval_by_creator' });
      expect((await bulkRow(bulkId)).state).toBe('AWAITING_APPROVAL');

      const approved = await actOnBulk(server, 'approve', bulkId, fund.checker.token, 200);
      expect(approved.body).toMatchObject({ approval: { approved_by: { id: fund.checker.id } } });
      expect(await bulkWorkflowResult(temporal, bulkId)).toMatchObject({ state: 'COMPLETED', completed: 2, failed: 0 });
      expect(await eventsOf()).toContain(`bulk.processing:${bulkId}:1`);
    });
    expect(await linesOf(bulkId)).toEqual([
      ['COMPLETED', null, 1],
      ['COMPLETED', null, 2],
    ]);
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 30000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, retried]))).toEqual({
      [paid]: 1,
      [retried]: 1,
    });
  });

  it('a retry whose approval expires releases its money; the bulk, paid in part before, ends COMPLETED', async () => {
    const fund = await fundRequiringApproval();
    const [paid, retried] = uniqueMsisdns(2);
    const { bulkId, failedId } = await bulkWithOneFailedLine(fund, [paid, retried]);

    await (
      await worker({ approvalTimeoutMs: SHORT_APPROVAL_TIMEOUT_MS })
    ).runUntil(async () => {
      const retry = await actOnBulk(server, 'retry-failed', bulkId, fund.gestionnaire.token, 202);
      expect(retry.body).toMatchObject({ state: 'AWAITING_APPROVAL', retried_transfers: 1 });
      expect(await bulkWorkflowResult(temporal, bulkId)).toMatchObject({ state: 'COMPLETED', completed: 1, failed: 1 });
    });
    expect(await linesOf(bulkId)).toEqual([
      ['COMPLETED', null, 1],
      ['FAILED', 'approval_expired', 2],
    ]);
    expect(await bulkRow(bulkId)).toMatchObject({ state: 'COMPLETED', retry_count: 1 });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 10000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    expect(callsFor(homeTransactionIdFor(failedId, 2))).toEqual([]);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, retried]))).toEqual({
      [paid]: 1,
      [retried]: 0,
    });
  });
});
