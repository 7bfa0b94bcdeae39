/**
 * Retry-failed once someone decided a bulk's fate (a cancel, a rejection, an approval left to expire), and a second
 * retry while the first one pays, for real: the use cases the API calls (src/payouts/payoutClient.ts) on the
 * Temporal dev server of the global setup, the real Postgres and the real peer behind the fault proxy, which makes
 * one line's switch unreachable (503) or holds a call until the test has acted. Codes not worth retrying
 * (cancelled, approval_rejected, approval_expired) are never retried: 409 nothing_to_retry when nothing else failed
 * (in an organization that requires approval, a rejected bulk is refused first: retry_after_second_user_decision).
 */
import type { Worker } from '@temporalio/worker';
import { closeDb, db } from '../support/database';
import { config } from '../../src/config';
import { homeTransactionIdFor } from '../../src/payouts/rules/bulkDecisionRules';
import { ConflictError } from '../../src/errors';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { cancelBulkPayout, decideApproval, retryFailedPayouts } from '../../src/payouts/payoutClient';
import type { LineRetry } from '../../src/payouts/contract';
import { barrier } from '../support/barrier';
import { type FaultPolicy, type FaultProxy, startFaultProxy } from '../support/faultProxy';
import { createUser } from '../support/fixtures';
import {
  accountMoney,
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  type PayerAccount,
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

const FAST_RETRY: LineRetry = { maximumAttempts: 3, initialIntervalMs: 10, maximumIntervalMs: 20 };

describe('retry-failed after a decision, and while a retry pays', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let proxy: FaultProxy;
  const taskQueue = uniqueTaskQueue('retry-decided');
  /** Per homeTransactionId, what the proxy does to that line's discover call: 503, or hold until released. */
  const discoverFaults = new Map<
    string,
    { kind: 'status'; status: number } | { kind: 'holdUntil'; release: Promise<void> }
  >();
  /** Per homeTransactionId, a quote call held until released (the line is PROCESSING then, discovered, unsent). */
  const quoteHolds = new Map<string, Promise<void>>();
  const policy: FaultPolicy = (call) => {
    if (call.homeTransactionId === null) return { kind: 'forward' };
    if (call.step === 'discover') return discoverFaults.get(call.homeTransactionId) ?? { kind: 'forward' };
    const release = call.step === 'quote' ? quoteHolds.get(call.homeTransactionId) : undefined;
    return release ? { kind: 'holdUntil', release } : { kind: 'forward' };
  };

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    proxy = await startFaultProxy({ target: peer.outboundUrl, policy });
  });

  afterAll(async () => {
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
        approvalTimeoutMs: settings.approvalTimeoutMs,
      },
    });
  }

  const linesOf = async (bulkId: string) =>
    (await db()('individual_transfers').where('bulk_id', bulkId).orderBy('line_number')).map((line) => [
      line.status,
      line.failure_code,
      line.attempt,
    ]);
  const discoversOf = (homeTransactionId: string) =>
    proxy.log.filter((entry) => entry.step === 'discover' && entry.homeTransactionId === homeTransactionId);

  async function retryRefusal(bulkId: string): Promise<{ status: number; code: string }> {
    const error = await retryFailedPayouts(temporal, taskQueue, bulkId, { operator: 'retry test' }).then(
      () => null,
      (refusal: unknown) => refusal,
    );
    expect(error).toBeInstanceOf(ConflictError);
    return { status: (error as ConflictError).status, code: (error as ConflictError).code };
  }

  async function approvingOrganization(balance: bigint): Promise<{ payer: PayerAccount; checkerId: number }> {
    const payer = await createPayerAccount(db(), balance);
    await db()('organizations').where('id', payer.organizationId).update({ requires_approval: true });
    const checker = await createUser({ organizationId: payer.organizationId, role: 'GESTIONNAIRE' });
    return { payer, checkerId: checker.user.id };
  }

  it('after a cancel: the cancelled lines are never retried, the line failed switch_unavailable is, and it is paid', async () => {
    const [unreachable, inFlight, notSentA, notSentB] = uniqueMsisdns(4);
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: unreachable, amount: 10_000n },
      { msisdn: inFlight, amount: 20_000n },
      { msisdn: notSentA, amount: 30_000n },
      { msisdn: notSentB, amount: 40_000n },
    ]);
    const [unreachableId, inFlightId] = bulk.transferIds as [string, string];
    const hold = barrier();
    discoverFaults.set(unreachableId, { kind: 'status', status: 503 });
    discoverFaults.set(inFlightId, { kind: 'holdUntil', release: hold.promise });

    // One line at a time: line 1 gives up (switch_unavailable), line 2 is held at the adapter, 3 and 4 wait.
    // The held discovery then reaches the adapter, but the line is final by then and nothing more of it is sent.
    await (
      await worker({ payoutConcurrency: 1 })
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await waitFor(async () => discoversOf(inFlightId).length > 0);
      // Line 2 is still PENDING (its discovery not answered yet): cancelled with 3 and 4, unsent.
      const cancelled = await cancelBulkPayout(temporal, taskQueue, bulk.bulkId, { operator: 'retry test' }).finally(
        () => hold.open(),
      );
      expect(cancelled).toEqual({ cancelled: 3, released: '90000' });
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'FAILED',
        total: 4,
        completed: 0,
        failed: 4,
      });
    });
    expect(await linesOf(bulk.bulkId)).toEqual([
      ['FAILED', 'switch_unavailable', 1],
      ['FAILED', 'cancelled', 1],
      ['FAILED', 'cancelled', 1],
      ['FAILED', 'cancelled', 1],
    ]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);

    discoverFaults.delete(unreachableId);
    await (
      await worker()
    ).runUntil(async () => {
      expect(await retryFailedPayouts(temporal, taskQueue, bulk.bulkId, { operator: 'retry test' })).toEqual({
        retried: 1,
        reserved: '10000',
      });
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 4,
        completed: 1,
        failed: 3,
      });
    });
    expect(await linesOf(bulk.bulkId)).toEqual([
      ['COMPLETED', null, 2],
      ['FAILED', 'cancelled', 1],
      ['FAILED', 'cancelled', 1],
      ['FAILED', 'cancelled', 1],
    ]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 90_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(
      Object.fromEntries(await countCommittedPaymentsByPayee([unreachable, inFlight, notSentA, notSentB])),
    ).toEqual({
      [unreachable]: 1,
      [inFlight]: 0,
      [notSentA]: 0,
      [notSentB]: 0,
    });

    // Nothing else worth retrying: refused, nothing changed.
    await (
      await worker()
    ).runUntil(async () => {
      expect(await retryRefusal(bulk.bulkId)).toEqual({ status: 409, code: 'nothing_to_retry' });
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 90_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('a cancel sent while the retry of a cancelled bulk pays stops the retried line again (unsent, money released)', async () => {
    const [unreachable, notSent] = uniqueMsisdns(2);
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: unreachable, amount: 10_000n },
      { msisdn: notSent, amount: 20_000n },
    ]);
    const unreachableId = bulk.transferIds[0]!;
    const first = barrier();
    discoverFaults.set(unreachableId, { kind: 'status', status: 503 });
    discoverFaults.set(bulk.transferIds[1]!, { kind: 'holdUntil', release: first.promise });
    await (
      await worker({ payoutConcurrency: 1 })
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await waitFor(async () => discoversOf(bulk.transferIds[1]!).length > 0);
      await cancelBulkPayout(temporal, taskQueue, bulk.bulkId, { operator: 'first cancel' }).finally(() =>
        first.open(),
      );
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'FAILED',
        completed: 0,
        failed: 2,
      });
    });

    // The retried attempt is discovered (PROCESSING, so the cancel does not fail it itself) and held at its quote
    // until the second cancel was taken: the gate of its next step must see that cancel.
    const second = barrier();
    discoverFaults.delete(unreachableId);
    quoteHolds.set(homeTransactionIdFor(unreachableId, 2), second.promise);
    await (
      await worker()
    ).runUntil(async () => {
      expect(await retryFailedPayouts(temporal, taskQueue, bulk.bulkId, { operator: 'retry test' })).toEqual({
        retried: 1,
        reserved: '10000',
      });
      await waitFor(async () =>
        proxy.log.some(
          (entry) => entry.step === 'quote' && entry.homeTransactionId === homeTransactionIdFor(unreachableId, 2),
        ),
      );
      await cancelBulkPayout(temporal, taskQueue, bulk.bulkId, { operator: 'second cancel' }).finally(() =>
        second.open(),
      );
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'FAILED',
        completed: 0,
        failed: 2,
      });
    });
    expect(await linesOf(bulk.bulkId)).toEqual([
      ['FAILED', 'cancelled', 2],
      ['FAILED', 'cancelled', 1],
    ]);
    const retried = await db()('individual_transfers').where('transfer_id', unreachableId).first('transfer_sent_at');
    expect(retried.transfer_sent_at).toBeNull();
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('cancelled_by_operator')).toEqual({
      cancelled_by_operator: 'second cancel',
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([unreachable, notSent]))).toEqual({
      [unreachable]: 0,
      [notSent]: 0,
    });
  });

  it('after a rejection: refused (409 retry_after_second_user_decision: maker-checker), nothing reserved again', async () => {
    const { payer, checkerId } = await approvingOrganization(50_000n);
    const [a, b] = uniqueMsisdns(2);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: a, amount: 5_000n },
      { msisdn: b, amount: 6_000n },
    ]);
    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await waitFor(
        async () =>
          (await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state')).state === 'AWAITING_APPROVAL',
      );
      await decideApproval(temporal, config().auth, bulk.bulkId, {
        approve: false,
        by: { userId: checkerId, requestId: null },
        reason: 'Wrong month',
      });
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'FAILED',
        completed: 0,
        failed: 2,
      });
      expect(await retryRefusal(bulk.bulkId)).toEqual({ status: 409, code: 'retry_after_second_user_decision' });
    });
    expect(await linesOf(bulk.bulkId)).toEqual([
      ['FAILED', 'approval_rejected', 1],
      ['FAILED', 'approval_rejected', 1],
    ]);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state', 'retry_count')).toEqual({
      state: 'FAILED',
      retry_count: 0,
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 50_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(proxy.log.filter((entry) => bulk.transferIds.includes(entry.homeTransactionId ?? ''))).toEqual([]);
  });

  it('after the approval expired: nothing to retry (409 nothing_to_retry), nothing reserved again', async () => {
    const { payer } = await approvingOrganization(50_000n);
    const [a] = uniqueMsisdns(1);
    const bulk = await insertBulk(db(), payer, [{ msisdn: a, amount: 7_000n }]);
    await (
      await worker({ approvalTimeoutMs: 300 })
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'FAILED',
        completed: 0,
        failed: 1,
      });
      expect(await retryRefusal(bulk.bulkId)).toEqual({ status: 409, code: 'nothing_to_retry' });
    });
    expect(await linesOf(bulk.bulkId)).toEqual([['FAILED', 'approval_expired', 1]]);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state', 'retry_count')).toEqual({
      state: 'FAILED',
      retry_count: 0,
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 50_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('a second retry while the first one pays is refused (409 bulk_in_progress); the line is paid once', async () => {
    const [paid, unreachable] = uniqueMsisdns(2);
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paid, amount: 12_000n },
      { msisdn: unreachable, amount: 13_000n },
    ]);
    const unreachableId = bulk.transferIds[1]!;
    discoverFaults.set(unreachableId, { kind: 'status', status: 503 });
    // The retried attempt (its own homeTransactionId) is held at the adapter until the second retry was answered.
    const hold = barrier();
    discoverFaults.set(homeTransactionIdFor(unreachableId, 2), { kind: 'holdUntil', release: hold.promise });

    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'COMPLETED',
        completed: 1,
        failed: 1,
      });

      expect(await retryFailedPayouts(temporal, taskQueue, bulk.bulkId, { operator: 'first' })).toEqual({
        retried: 1,
        reserved: '13000',
      });
      await waitFor(async () => discoversOf(homeTransactionIdFor(unreachableId, 2)).length > 0);
      const second = await retryRefusal(bulk.bulkId).finally(() => hold.open());
      expect(second).toEqual({ status: 409, code: 'bulk_in_progress' });
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 2,
        completed: 2,
        failed: 0,
      });
    });
    expect(await linesOf(bulk.bulkId)).toEqual([
      ['COMPLETED', null, 1],
      ['COMPLETED', null, 2],
    ]);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('retry_count')).toEqual({ retry_count: 1 });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 25_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, unreachable]))).toEqual({
      [paid]: 1,
      [unreachable]: 1,
    });
  });
});
