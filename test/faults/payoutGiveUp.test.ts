/**
 * The give-up paths of a line, for real: the real Postgres, the Temporal dev server of the global setup and the
 * real Mojaloop peer, with the fault proxy (test/support/faultProxy.ts) in front of it where the switch must look
 * unreachable for one line. The worker's settings shorten the before-sending retry policy (PayoutSettings.lineRetry)
 * so a line gives up in seconds rather than minutes; production keeps its defaults.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import type { PayoutAdapter } from '../../activities';
import { closeDb, db } from '../support/database';
import { homeTransactionIdFor } from '../../src/payouts/rules/bulkDecisionRules';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { retryFailedPayouts } from '../../src/payouts/payoutClient';
import { type LineRetry, workflowIdForLine } from '../../src/payouts/contract';
import { type FaultPolicy, type FaultProxy, startFaultProxy } from '../support/faultProxy';
import {
  accountMoney,
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  linesOfBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from '../support/payoutHarness';
import { expectJournalAgrees } from '../support/journalInvariant';
import { countCommittedPaymentsByPayee, countCommittedTransfersByHomeTransactionId } from '../support/peerLedger';
import { uniqueMsisdns } from '../support/payees';

/** Three attempts a step, 20 ms apart at most: a line gives up within a second instead of about 8 minutes. */
const FAST_RETRY: LineRetry = { maximumAttempts: 3, initialIntervalMs: 10, maximumIntervalMs: 20 };

describe('a line given up (real Postgres, Temporal and peer)', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let proxy: FaultProxy;
  const taskQueue = uniqueTaskQueue('giveup');
  /** Lines (by homeTransactionId) whose calls the proxy answers 503, by step. */
  const unreachable = { discover: new Set<string>(), quote: new Set<string>() };
  const forwardOr503: FaultPolicy = (call) =>
    call.homeTransactionId !== null &&
    (call.step === 'discover' || call.step === 'quote') &&
    unreachable[call.step].has(call.homeTransactionId)
      ? { kind: 'status', status: 503 }
      : { kind: 'forward' };

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    proxy = await startFaultProxy({ target: peer.outboundUrl, policy: forwardOr503 });
  });

  afterAll(async () => {
    await proxy?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  function worker(adapter: PayoutAdapter = adapterClient(proxy.url)): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter,
      settings: { payoutConcurrency: 3, lineRetry: FAST_RETRY },
    });
  }

  const callsFor = (homeTransactionId: string, step: 'discover' | 'quote') =>
    proxy.log.filter((entry) => entry.homeTransactionId === homeTransactionId && entry.step === step);

  it('switch_unavailable: every discover of a line answered 503 for all its attempts, the line fails unpaid, the others are paid', async () => {
    const [paidA, lost, paidB] = uniqueMsisdns(3);
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paidA, amount: 10_000n },
      { msisdn: lost, amount: 20_000n },
      { msisdn: paidB, amount: 30_000n },
    ]);
    const lostId = bulk.transferIds[1]!;
    unreachable.discover.add(lostId);

    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 3,
        completed: 2,
        failed: 1,
      });
    });

    const lines = await linesOfBulk(db(), bulk.bulkId);
    expect(lines.map((line) => [line.status, line.failure_code])).toEqual([
      ['COMPLETED', null],
      ['FAILED', 'switch_unavailable'],
      ['COMPLETED', null],
    ]);
    expect(lines[1].failure_message).toMatch(/^The Mojaloop switch stayed unreachable/);
    expect(lines[1].transfer_sent_at).toBeNull();
    expect(lines[1].mojaloop_transfer_id).toBeNull();
    // Every attempt of the step reached the proxy and was answered 503; the adapter never saw the line.
    const discovers = callsFor(lostId, 'discover');
    expect(discovers.map((call) => [call.action, call.adapterStatus])).toEqual(
      Array.from({ length: FAST_RETRY.maximumAttempts }, () => ['status', null]),
    );
    expect(callsFor(lostId, 'quote')).toEqual([]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 40_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paidA, lost, paidB]))).toEqual({
      [paidA]: 1,
      [lost]: 0,
      [paidB]: 1,
    });
  });

  it('no quote after the last round: every quote answered 503, each round discovers again, after MAX_QUOTE_ROUNDS the line fails unpaid', async () => {
    const [paid, lost] = uniqueMsisdns(2);
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paid, amount: 15_000n },
      { msisdn: lost, amount: 25_000n },
    ]);
    const lostId = bulk.transferIds[1]!;
    unreachable.quote.add(lostId);

    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 2,
        completed: 1,
        failed: 1,
      });
    });

    const lines = await linesOfBulk(db(), bulk.bulkId);
    expect(lines.map((line) => [line.status, line.failure_code])).toEqual([
      ['COMPLETED', null],
      ['FAILED', 'switch_unavailable'],
    ]);
    expect(lines[1].failure_message).toMatch(/^No quote after 8 attempts; last error: /);
    expect(lines[1].transfer_sent_at).toBeNull();
    expect(lines[1].quote_id).toBeNull();
    // Eight rounds: each a new adapter transfer (discovered for real), its quote answered 503 by the proxy.
    expect(callsFor(lostId, 'discover').map((call) => call.adapterStatus)).toEqual(
      Array.from({ length: 8 }, () => 200),
    );
    const quotes = callsFor(lostId, 'quote');
    expect(quotes).toHaveLength(8);
    expect(new Set(quotes.map((call) => call.adapterTransferId)).size).toBe(8);
    expect(quotes.every((call) => call.action === 'status')).toBe(true);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 15_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, lost]))).toEqual({ [paid]: 1, [lost]: 0 });
  });

  it('a line whose workflow fails on every pass: after the last pass failed line_unresolved (money released), the bulk closes; retry-failed pays it', async () => {
    const [paidA, broken, paidB] = uniqueMsisdns(3);
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paidA, amount: 11_000n },
      { msisdn: broken, amount: 22_000n },
      { msisdn: paidB, amount: 33_000n },
    ]);
    const brokenId = bulk.transferIds[1]!;
    // The real adapter client, except that discovering this line (its first attempt) fails with an error Temporal
    // never retries and the line workflow does not read as an outage: its workflow fails, the line stays PENDING.
    const real = adapterClient(peer.outboundUrl);
    const brokenCalls: string[] = [];
    const adapter: PayoutAdapter = {
      startTransfer: async (request) => {
        if (request.homeTransactionId === brokenId) {
          brokenCalls.push(request.homeTransactionId);
          throw ApplicationFailure.nonRetryable('Test adapter: this line always fails (a bug)', 'TestAdapterBroken');
        }
        return real.startTransfer(request);
      },
      acceptParty: (transferId) => real.acceptParty(transferId),
      acceptQuote: (transferId) => real.acceptQuote(transferId),
      getTransfer: (transferId) => real.getTransfer(transferId),
    };

    await (
      await worker(adapter)
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 3,
        completed: 2,
        failed: 1,
      });
    });

    expect(brokenCalls).toHaveLength(3); // one line workflow per pass (MAX_PASSES)
    const line = await temporal.client.workflow.getHandle(workflowIdForLine(bulk.bulkId, 2)).describe();
    expect(line.status.name).toBe('FAILED');
    let lines = await linesOfBulk(db(), bulk.bulkId);
    expect(lines.map((row) => [row.status, row.failure_code])).toEqual([
      ['COMPLETED', null],
      ['FAILED', 'line_unresolved'],
      ['COMPLETED', null],
    ]);
    expect(lines[1].transfer_sent_at).toBeNull();
    expect(lines[1].completed_at).not.toBeNull();
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 44_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state')).toEqual({ state: 'COMPLETED' });

    // line_unresolved is worth retrying: a new attempt (a new homeTransactionId, which the adapter lets through) is paid.
    await (
      await worker(adapter)
    ).runUntil(async () => {
      expect(await retryFailedPayouts(temporal, taskQueue, bulk.bulkId, { operator: 'give-up test' })).toEqual({
        retried: 1,
        reserved: '22000',
      });
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 3,
        completed: 3,
        failed: 0,
      });
    });
    lines = await linesOfBulk(db(), bulk.bulkId);
    expect(lines.map((row) => [row.status, row.attempt])).toEqual([
      ['COMPLETED', 1],
      ['COMPLETED', 2],
      ['COMPLETED', 1],
    ]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 66_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    const committed = await countCommittedTransfersByHomeTransactionId([brokenId, homeTransactionIdFor(brokenId, 2)]);
    expect(Object.fromEntries(committed)).toEqual({ [brokenId]: 0, [homeTransactionIdFor(brokenId, 2)]: 1 });
  });
});
